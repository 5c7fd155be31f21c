/** The report as GitHub-flavoured Markdown: headings, tables and lists; every cell escaped. */
import type { Report } from '../model.ts';
import { reportView, type Block, type Cell } from './view.ts';

/** Text that Markdown must not interpret: table pipes, HTML, emphasis and link syntax. */
export function mdText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/[|*_`[\]#~]/g, (c) => `\\${c}`)
    // GFM's extended autolinks (a scheme's "://", "www.", an e-mail address's "@"): an escaped
    // character in them leaves a name or an address as text, never a link to follow.
    .replace(/:(?=\/\/)|(?<=www)\.|@/gi, (c) => `\\${c}`)
    // Before < and >: an entity in the text (`&lt;`) must show as written, as the HTML does.
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

function mdCell(c: Cell): string {
  if (c.code && !c.text.includes('`')) return `\`${c.text.replace(/\|/g, '\\|').replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')}\``;
  return mdText(c.text);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'para':
      return `${mdText(b.text)}\n`;
    case 'list':
      return `${b.items.map((i) => `- ${mdText(i)}`).join('\n')}\n`;
    case 'table': {
      const head = `| ${b.columns.map(mdText).join(' | ')} |`;
      const rule = `|${b.rows[0]?.map((c) => (c.num ? ' ---: ' : ' --- ')).join('|') ?? b.columns.map(() => ' --- ').join('|')}|`;
      const rows = b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`);
      const more = b.more > 0 ? `\n… and ${b.more} more (${b.moreAt ?? 'the JSON report, /api/v1/edges and /api/v1/recommendations have them'}).\n` : '';
      return `${[head, rule, ...rows].join('\n')}\n${more}`;
    }
  }
}

export function renderMarkdown(report: Report): string {
  const v = reportView(report);
  const out: string[] = [`# ${mdText(v.title)}\n`, `${v.meta.map(mdText).join('  \n')}\n`];
  for (const s of v.sections) {
    out.push(`${'#'.repeat(s.level)} ${mdText(s.title)}${s.count !== undefined ? ` (${s.count})` : ''}\n`);
    for (const b of s.blocks) out.push(block(b));
  }
  return out.join('\n');
}
