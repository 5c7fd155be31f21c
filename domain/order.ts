/**
 * The one string order of every sorted output: UTF-16 code units, as `<` compares. Never
 * `localeCompare`: its ICU collation follows LANG / LC_ALL, so the same input would sort (and,
 * where a sort breaks a tie, resolve) differently from one machine to the next.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
