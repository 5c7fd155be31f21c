/**
 * A JSON request body parsed from its text as express.json({ strict: true }) (body-parser) parses
 * it, with the same answers: for a route that reads its body as text and parses it elsewhere (a
 * worker thread), so that moving the parse does not change what a client is told.
 */
import { HttpProblem } from './problem.ts';

const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/;

/** body-parser's message for a body that is JSON but no object or array: JSON.parse's own, on the text with its value masked. */
function strictViolation(text: string, first: string | undefined): string {
  const index = first === undefined || first === '' ? -1 : text.indexOf(first);
  const partial = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(partial);
    return 'strict violation';
  } catch (e) {
    return (e as Error).message.replace(/#+/g, (mask) => text.slice(index, index + mask.length));
  }
}

/** The body's value; an empty body is `{}`; anything else that is not a JSON object or array is 400 `malformed JSON body: …`. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new HttpProblem('bad-request', `malformed JSON body: ${strictViolation(text, first)}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpProblem('bad-request', `malformed JSON body: ${(e as Error).message}`);
  }
}
