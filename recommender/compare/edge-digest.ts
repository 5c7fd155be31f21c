/** FNV-1a (32-bit) over UTF-8: the hash behind the digest of an observed rule's id (synthesize/rule-ids.ts). */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-8 bytes of `s`, continuing from `h` (so a string can be hashed in parts). */
export function fnv1a(s: string, h: number = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    // Rare (keys are Kubernetes names and addresses): hash the bytes of the rest of the string.
    for (const b of new TextEncoder().encode(s.slice(i))) h = Math.imul(h ^ b, FNV_PRIME);
    return h >>> 0;
  }
  return h >>> 0;
}

/** The hash state after `${clientKey}|`: the part of an edge digest shared by a client's edges. */
export function clientDigestState(clientKey: string): number {
  return fnv1a('|', fnv1a(clientKey));
}

const PIPE = 0x7c;
const ZERO = 0x30;

/** FNV-1a over the decimal digits of a non-negative integer, without building its string. */
function fnv1aDigits(n: number, h: number): number {
  if (n < 10) return Math.imul(h ^ (ZERO + n), FNV_PRIME);
  return Math.imul(fnv1aDigits(Math.floor(n / 10), h) ^ (ZERO + (n % 10)), FNV_PRIME);
}

/** FNV-1a of the edge's evidence key `client|server|port|protocol`, from the client's state. */
export function edgeDigest(clientState: number, serverKey: string, port: number, protocol: string): number {
  if (!Number.isInteger(port) || port < 0) return fnv1a(protocol, fnv1a(`|${port}|`, fnv1a(serverKey, clientState)));
  let h = fnv1a(serverKey, clientState);
  h = Math.imul(h ^ PIPE, FNV_PRIME);
  h = fnv1aDigits(port, h);
  h = Math.imul(h ^ PIPE, FNV_PRIME);
  return fnv1a(protocol, h);
}
