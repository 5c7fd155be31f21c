/**
 * The most YAML tokens (values, indicators, indentation, line breaks: what yaml's Lexer yields)
 * a request body is parsed with: about 800 kB of `kubectl get -o yaml`, some twenty times the largest
 * bundled matrix. yaml builds a Document of about 1 KB of heap per value at a few µs each, so a
 * 16 MiB body of `[1,1,…]` would need gigabytes; at this cap one parse costs some tens of MB and
 * well under a second. Counting stops at the cap, before anything is built; JSON inventories and
 * policies given as JSON arrays are not YAML and are not counted (docs/api.md "YAML bodies").
 */
export const MAX_BODY_YAML_TOKENS = 200_000;
