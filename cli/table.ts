/**
 * Every table the CLI prints: kubectl's borderless layout, an upper-case header, columns two
 * spaces apart, cells left-aligned and padded to the column's width, no trailing blanks; no
 * colour, so piped output is plain.
 *
 * Written here rather than by cli-table3, which printed these tables until `flowmatrix edges`
 * met a large store: it spreads a table's rows as call arguments (the stack overflowed) and
 * makes and measures an object per cell (minutes for a large store), and it wants the whole
 * table at once. This layout is the subset of cli-table3's that the CLI used;
 * test/unit/cli-table.test.ts holds the text equal to cli-table3's for the same rows (wide
 * characters and multi-line cells included). Widths are measured by string-width, as
 * cli-table3 measures them.
 */
import stringWidth from 'string-width';
import { textPieces } from '../recommender/text-pieces.ts';

const GUTTER = '  ';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [...tablePieces(header, rows.length, (i) => rows[i]!)].join('');
}

/**
 * The table of `count` rows, in pieces (recommender/text-pieces.ts). `row(i)` makes row i; it is
 * called twice per row (the widths first), so that the rows need not all be in memory at once.
 */
export function tablePieces(header: readonly string[], count: number, row: (i: number) => readonly string[]): Generator<string, void, undefined> {
  const widths = header.map(cellWidth);
  for (let i = 0; i < count; i++) row(i).forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cellWidth(cell))));
  function* lines(): Generator<readonly string[]> {
    yield header;
    for (let i = 0; i < count; i++) yield row(i);
  }
  return textPieces(lines(), (cells) => rowText(cells, widths));
}

/** A cell's width: its widest line. */
function cellWidth(cell: string): number {
  return cell.includes('\n') ? Math.max(...cell.split('\n').map((l) => stringWidth(l))) : stringWidth(cell);
}

/** One row's lines (a cell of several lines makes the row as high, the others blank below). */
function rowText(cells: readonly string[], widths: readonly number[]): string {
  const lines = cells.map((c) => c.split('\n'));
  const height = Math.max(1, ...lines.map((l) => l.length));
  let out = '';
  for (let k = 0; k < height; k++) {
    const line = widths.map((w, c) => {
      const text = lines[c]?.[k] ?? '';
      return text + ' '.repeat(Math.max(0, w - stringWidth(text)));
    });
    out += `${line.join(GUTTER).trimEnd()}\n`;
  }
  return out;
}
