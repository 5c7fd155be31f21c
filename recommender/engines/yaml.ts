/**
 * The one YAML serializer for manifests: kubectl-style layout (sequences not indented under
 * their key), no line folding, every map's keys sorted (as `kubectl get -o yaml` prints
 * them), so the bytes depend only on the objects' content, never on how they were built.
 */
import { stringify } from 'yaml';

const OPTIONS = { indent: 2, indentSeq: false, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, sortMapEntries: true } as const;

export function toYaml(doc: unknown): string {
  return stringify(doc, OPTIONS);
}

/** Multi-document YAML: each document starts with `---`. Empty list → empty string. */
export function toMultiDocYaml(docs: readonly unknown[]): string {
  return docs.map((d) => `---\n${toYaml(d)}`).join('');
}
