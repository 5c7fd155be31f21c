/**
 * Large outputs (multi-document YAML, JSON arrays, tables) are handed on in pieces of about
 * PIECE_CHARS characters: a stream or a socket gets few large writes, the whole text is never one
 * string (a cluster's can outgrow the longest string V8 builds), and an item's text is made only
 * when the reader asks for the piece it falls in.
 */
export const PIECE_CHARS = 1 << 16;

/** The text of each item, then `end()`, joined into pieces of about PIECE_CHARS characters. */
export function* textPieces<T>(items: Iterable<T>, text: (item: T) => string, end: () => string = () => ''): Generator<string, void, undefined> {
  let piece = '';
  for (const item of items) {
    piece += text(item);
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  piece += end();
  if (piece) yield piece;
}
