/**
 * `Warning` header values as kube-apiserver sends them (code 299, agent "-", RFC 9111 §5.5
 * quoted-string): a client library shows them as the API server's warnings. Header values are
 * Latin-1 only: other characters become `?`. Bounded, each and all together: proxies refuse a
 * response whose headers outgrow their buffer (nginx's default proxy_buffer_size is 4 KiB) and
 * Node's HTTP client one past 16 KiB, so a job would get no status and no body at all. What does
 * not fit is counted in a last warning that says where to read it all.
 */
export const MAX_WARNING_TEXT = 1024;
/** All the Warning headers of one response together, bytes (the other headers stay well under 1 KiB). */
export const MAX_WARNING_HEADERS_BYTES = 3072;

export function warningHeader(text: string): string {
  const cut = text.length > MAX_WARNING_TEXT ? `${text.slice(0, MAX_WARNING_TEXT - 3)}...` : text;
  return `299 - "${cut.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?')}"`;
}

/** Room kept for the last warning, which counts those left out. */
const SUMMARY_ROOM = 256;

/** `texts` as Warning header values within MAX_WARNING_HEADERS_BYTES; `whereAll` says where every one of them can be read. */
export function warningHeaders(texts: readonly string[], whereAll: string): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 0; i < texts.length; i++) {
    const h = warningHeader(texts[i]!);
    const last = i === texts.length - 1;
    if (bytes + h.length > MAX_WARNING_HEADERS_BYTES - (last ? 0 : SUMMARY_ROOM)) {
      const left = texts.length - i;
      out.push(warningHeader(`${left} more warning${left === 1 ? '' : 's'} not sent as headers: ${whereAll}`));
      return out;
    }
    out.push(h);
    bytes += h.length;
  }
  return out;
}
