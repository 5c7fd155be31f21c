/** The three renderings of a report and their media types. */
import type { Report } from '../model.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import type { ReportFormat } from './formats.ts';

export { REPORT_FORMATS, type ReportFormat } from './formats.ts';

export const MEDIA_TYPES: Record<ReportFormat, string> = {
  json: 'application/json',
  markdown: 'text/markdown',
  html: 'text/html',
};

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
  }
}

export { renderHtml, renderJson, renderMarkdown };
