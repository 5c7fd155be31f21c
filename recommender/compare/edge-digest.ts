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
