/** Paths into a matrix document, printed the way users read them: `components.ebpf-agent.egress[1].ports[0]`. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(document)';
}

/** Ajv's JSON Pointer (`/components/a~1b/egress/1`) to segments; array indexes become numbers. */
export function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (!pointer) return [];
  const segments: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(key);
      segments.push(i);
      node = node[i];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}
