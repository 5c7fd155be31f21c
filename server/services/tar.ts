/**
 * The export bundle (one file per policy) as a tar archive, written by tar-stream. Deterministic:
 * fixed mode, owner and mtime, entries in the order given, so the same manifests give the same bytes.
 */
import { pack } from 'tar-stream';

export async function tarBundle(files: readonly { path: string; content: string }[], mtimeSeconds: number): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  const mtime = new Date(mtimeSeconds * 1000);
  for (const f of files) {
    archive.entry({ name: f.path, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime, type: 'file' }, Buffer.from(f.content, 'utf8'));
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
