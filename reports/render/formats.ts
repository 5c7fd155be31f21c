/** The renderings a report has, apart from the renderers: the CLI's help lists them without loading them. */
export const REPORT_FORMATS = ['markdown', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
