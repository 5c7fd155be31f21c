/**
 * A stored report's model as it is served. Parts added to the model within REPORT_SCHEMA_VERSION 1
 * are absent from reports stored before them: they are read as empty, which is what such a report
 * said, so it renders as Markdown or HTML and its JSON has the shape the schema version promises.
 */
import type { Report } from './model.ts';

export function storedReport(json: string): Report {
  const r = JSON.parse(json) as Report;
  // Added with "documented when set" (docs/reports.md): none in a report stored before it.
  r.attention.documentedWhenSet ??= { edges: [], rules: [] };
  r.headline.documentedWhenSet ??= 0;
  for (const n of r.namespaces ?? []) n.attention.documentedWhenSet ??= 0;
  return r;
}
