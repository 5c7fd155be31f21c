/**
 * The report's Markdown escaping (reports/render/markdown.ts mdText) against a real CommonMark +
 * GFM renderer (markdown-it with linkify and strikethrough, as GitHub and GitLab render a
 * report): any text a cluster can put in a report (names, labels, matrix purposes, DNS names)
 * renders as itself, with no markup — no link, emphasis, strikethrough, code, heading or HTML.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { mdText } from '../../reports/render/markdown.ts';

// GFM autolinks a scheme, www. and e-mail addresses, not bare domains (GFM spec, "Autolinks (extension)").
const md = new MarkdownIt({ linkify: true, html: true });
md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });

/** The rendered paragraph's text, entities decoded, and whether any element besides <p> appeared. */
function rendered(s: string): { text: string; markup: boolean } {
  const html = md.render(`x ${mdText(s)}`).trim();
  const inner = html.replace(/^<p>/, '').replace(/<\/p>$/, '');
  const markup = /<(?!\/?p>)[a-z/]/i.test(inner);
  const text = inner.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { text: text.slice(2), markup };
}

test('the texts that used to turn into markup render as themselves', () => {
  for (const s of ['~~struck~~', 'see https://evil.example/x', 'www.evil.example', '_www.evil.example', 'xwww.evil.example', 'mail me@evil.example', '*a* _b_ `c` [d](e) <b>', '# heading', 'a | b', '&lt;b&gt;', '1. list', '> quote']) {
    const r = rendered(s);
    assert.equal(r.markup, false, `${s} → ${md.render(mdText(s))}`);
    assert.equal(r.text, s, s);
  }
});

test('any printable text renders as itself, without markup (property)', () => {
  const chars = fc.oneof(fc.constantFrom(...'abc xyz.:/@~*_`[]()<>&#|!\\-+=1'.split('')), fc.constantFrom('www.', 'http://', 'https://', 'me@x.y'));
  fc.assert(
    fc.property(fc.array(chars, { minLength: 1, maxLength: 40 }).map((a) => a.join('')).filter((s) => s.trim() === s && !/ {2}/.test(s)), (s) => {
      const r = rendered(s);
      return !r.markup && r.text === s;
    }),
    { numRuns: 3000 },
  );
});
