/**
 * The `YYYY-MM-DD` (UTC) of instants, for one recommendation run: every observed rule's text
 * names the day its edges were last seen, and a run's edges were last seen on few distinct days,
 * so each day is written once instead of a date and an ISO string per rule.
 */
const DAY_MS = 86_400_000;

export class DayTexts {
  private readonly days = new Map<number, string>();

  /** `new Date(ms).toISOString().slice(0, 10)`. */
  of(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    let text = this.days.get(day);
    if (text === undefined) this.days.set(day, (text = new Date(ms).toISOString().slice(0, 10)));
    return text;
  }
}
