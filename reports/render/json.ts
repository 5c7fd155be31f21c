/** The report model as JSON (two-space indent, trailing newline): the model is built sorted, so the bytes are stable. */
import type { Report } from '../model.ts';

export function renderJson(report: Report, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...extra, ...report }, null, 2)}\n`;
}
