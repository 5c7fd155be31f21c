/**
 * cli/table.ts writes the CLI's tables itself (cli-table3 overflowed the stack and took minutes
 * on a large store): the text must be the one cli-table3 gives for the same rows (the reference,
 * where it can make one), and a table of any length must render, in pieces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Table from 'cli-table3';
import fc from 'fast-check';
import { table, tablePieces } from '../../cli/table.ts';

/** cli-table3 on the whole table, as cli/table.ts rendered every table before it wrote them itself. */
function reference(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const chars = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' };
  const t = new Table({ head: [...header], chars, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }, wordWrap: false });
  for (const r of rows) t.push([...r]);
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

test('a table is the text cli-table3 gives for the same rows: widths, wide characters, empty and multi-line cells, several pieces', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '9', '-', '/', ':', '.', ' ', 'é', '中', '文', '🙂', '\n'), maxLength: 14 });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2500 }), fc.integer(), (columns, count, seed) => {
      const header = Array.from({ length: columns }, (_, c) => `COLUMN ${c}`);
      const cells = fc.sample(fc.array(cell, { minLength: columns, maxLength: columns }), { numRuns: Math.max(count, 1), seed });
      const rows = cells.slice(0, count);
      return table(header, rows) === reference(header, rows);
    }),
    { numRuns: 12, seed: 20261204 },
  );
});

test('a table of more rows than cli-table3 could lay out renders, in pieces of about 64 Ki characters', () => {
  const count = 200_000;
  const row = (i: number): string[] => [`team-${i % 97}/Deployment/svc-${i}`, `${i}/TCP`];
  assert.throws(() => reference(['CLIENT', 'PORT'], Array.from({ length: count }, (_, i) => row(i))), RangeError, 'cli-table3 overflows the stack on this many rows');
  const pieces = [...tablePieces(['CLIENT', 'PORT'], count, row)];
  assert.ok(pieces.length > 10 && pieces.slice(0, -1).every((p) => p.length >= 65536 && p.length < 65536 + 100), `${pieces.length} pieces`);
  const text = pieces.join('');
  // Checked against cli-table3 where it can: the first rows, whose widths are the whole table's.
  let width = 0;
  for (let i = 0; i < count; i++) width = Math.max(width, row(i)[0]!.length);
  const head = Array.from({ length: 50 }, (_, i) => row(i));
  const widest = [`x${' '.repeat(width - 1)}`, ''];
  assert.equal(text.split('\n').slice(0, 51).join('\n'), reference(['CLIENT', 'PORT'], [...head, widest]).split('\n').slice(0, 51).join('\n'));
  assert.equal(text.split('\n').length, count + 2);
});
