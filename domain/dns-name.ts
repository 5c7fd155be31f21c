/**
 * A DNS name in the one spelling flowmatrix stores and compares: names are case-insensitive (RFC
 * 4343) and `api.example.com.` is the fully qualified `api.example.com`; the matrix's FQDN syntax
 * is lowercase without the root dot. A resolver's or a flow log's `Ingest.Example.com` found no
 * address under the matrix's `ingest.example.com`.
 */
export function canonicalDnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
