/**
 * A `Warning` header value as kube-apiserver sends them (code 299, agent "-", RFC 9111 §5.5
 * quoted-string): a client library shows them as the API server's warnings. Header values are
 * Latin-1 only: other characters become `?`. Cut at MAX_WARNING_TEXT characters: proxies refuse
 * a response whose headers outgrow their buffer (nginx's default proxy_buffer_size is 4 KiB), and
 * the body or the API that lists the cause says the rest.
 */
export const MAX_WARNING_TEXT = 1024;

export function warningHeader(text: string): string {
  const cut = text.length > MAX_WARNING_TEXT ? `${text.slice(0, MAX_WARNING_TEXT - 3)}...` : text;
  return `299 - "${cut.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?')}"`;
}
