/** A JSON pointer token (RFC 6901 §3): `~` as `~0` and `/` as `~1`, so a label key like `app.kubernetes.io/name` stays one token. */
export function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
