/**
 * Every table the CLI prints, one helper over cli-table3: kubectl's borderless layout, an upper-
 * case header, columns two spaces apart, no trailing blanks; no colour, so piped output is plain.
 */
import Table from 'cli-table3';

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ head: [...header], chars: NO_BORDER, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }, wordWrap: false });
  for (const r of rows) t.push([...r]);
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}
