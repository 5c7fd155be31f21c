/**
 * The report as one self-contained HTML page: inline CSS, no scripts, no external assets (a
 * Content-Security-Policy meta tag forbids loading any), every text escaped.
 */
import type { Report } from '../model.ts';
import { reportView, type Block, type Cell } from './view.ts';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--head:#f6f8fa;--warn:#9a6700;--bad:#d1242f;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--head:#151b23;--warn:#d29922;--bad:#f85149;--ok:#3fb950}}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:24px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:24px 0 6px}
.meta{color:var(--muted);margin:0}
.count{display:inline-block;min-width:1.6em;padding:0 6px;border-radius:10px;background:var(--head);border:1px solid var(--line);font-size:12px;text-align:center;margin-left:6px}
.count.hot{color:#fff;background:var(--bad);border-color:var(--bad)}
table{border-collapse:collapse;margin:8px 0;width:100%;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head);position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
nav ul{columns:3;padding-left:18px}
.more{color:var(--muted);font-style:italic}
`;

/** Categories whose non-zero count needs someone today. */
const HOT = new Set(['blocked', 'violations', 'dropped', 'seen-only-in-metrics']);

function cell(c: Cell): string {
  const inner = c.code ? `<code>${esc(c.text)}</code>` : esc(c.text);
  return c.num ? `<td class="num">${inner}</td>` : `<td>${inner}</td>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'para':
      return `<p>${esc(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
    case 'table': {
      const head = `<thead><tr>${b.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
      const body = `<tbody>\n${b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}\n</tbody>`;
      const more = b.more > 0 ? `\n<p class="more">… and ${b.more} more (${esc(b.moreAt ?? 'the JSON report, /api/v1/edges and /api/v1/recommendations have them')}).</p>` : '';
      return `<table>${head}${body}</table>${more}`;
    }
  }
}

export function renderHtml(report: Report): string {
  const v = reportView(report);
  const toc = v.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a>${s.count !== undefined ? ` (${s.count})` : ''}</li>`).join('');
  const sections = v.sections.map((s) => {
    const hot = s.count !== undefined && s.count > 0 && HOT.has(s.id);
    const badge = s.count !== undefined ? `<span class="count${hot ? ' hot' : ''}">${s.count}</span>` : '';
    return `<section id="${esc(s.id)}">\n<h${s.level}>${esc(s.title)}${badge}</h${s.level}>\n${s.blocks.map(block).join('\n')}\n</section>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(v.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${esc(v.title)}</h1>`,
    ...v.meta.map((m) => `<p class="meta">${esc(m)}</p>`),
    '</header>',
    `<nav><ul>${toc}</ul></nav>`,
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
