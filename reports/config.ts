/**
 * The `reports:` section of the service config: when the scheduled report runs, for which engine
 * and options, and how many reports are kept. Every key has a default.
 */
import { Type, type Static } from '@sinclair/typebox';
import { cronExpressionProblem } from './schedule.ts';
import { ENGINE_NAMES, type EngineName } from '../recommender/engines/types.ts';
import { MODES, type Mode } from '../recommender/synthesize/options.ts';

const strict = { additionalProperties: false };

export const ReportsConfig = Type.Object(
  {
    /** Build reports on the schedule (POST /api/v1/reports and `flowmatrix report` work either way). */
    enabled: Type.Optional(Type.Boolean()),
    /** Cron expression (5 fields, or 6 with seconds first). */
    schedule: Type.Optional(Type.String({ minLength: 1 })),
    /** IANA time zone of the schedule. */
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    engine: Type.Optional(Type.Union(ENGINE_NAMES.map((e) => Type.Literal(e)))),
    mode: Type.Optional(Type.Union(MODES.map((m) => Type.Literal(m)))),
    egress: Type.Optional(Type.Boolean()),
    /** Recommend as with `--shared` (namespace and cluster-wide layers): what a GitOps loop applies, so the drift compares like with like. */
    shared: Type.Optional(Type.Boolean()),
    /** Recommend as with `--default-deny` (a namespace default-deny layer), likewise. */
    defaultDeny: Type.Optional(Type.Boolean()),
    /** Reports kept in the store, of each trigger (schedule, manual) apart; older ones are deleted when a new one of their trigger is stored. */
    retention: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  strict,
);
export type ReportsConfigT = Static<typeof ReportsConfig>;

export interface ReportSettings {
  enabled: boolean;
  schedule: string;
  timezone: string;
  engine: EngineName;
  mode: Mode;
  egress: boolean;
  shared: boolean;
  defaultDeny: boolean;
  retention: number;
}

export const REPORT_DEFAULTS: ReportSettings = {
  enabled: true,
  schedule: '0 2 * * *',
  timezone: 'UTC',
  engine: 'kubernetes',
  mode: 'union',
  egress: true,
  shared: false,
  defaultDeny: false,
  retention: 30,
};

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Defaults filled in; problems (a bad cron expression or time zone) are pushed with their path. */
export function resolveReportSettings(cfg: ReportsConfigT | undefined, problems: { path: string; message: string; value?: unknown }[]): ReportSettings {
  const s: ReportSettings = { ...REPORT_DEFAULTS, ...Object.fromEntries(Object.entries(cfg ?? {}).filter(([, v]) => v !== undefined)) };
  const scheduleProblem = cronExpressionProblem(s.schedule);
  if (scheduleProblem !== undefined) problems.push({ path: 'reports.schedule', message: scheduleProblem, value: s.schedule });
  if (!validTimezone(s.timezone)) problems.push({ path: 'reports.timezone', message: 'is not an IANA time zone (e.g. UTC, Europe/Berlin)', value: s.timezone });
  return s;
}
