/** The export bundle: a tar that tar itself reads back (tar-stream's extract and GNU tar), byte-identical for the same input. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extract } from 'tar-stream';
import { tarBundle } from '../../server/services/tar.ts';
import { tmpDir } from '../helpers/tmp.ts';

const LONG = `${'a-very-long-namespace-name-'.repeat(3)}x/networkpolicy-${'n'.repeat(90)}.yaml`;
const FILES = [
  { path: 'shop/networkpolicy-web.yaml', content: 'kind: NetworkPolicy\nmetadata: { name: web }\n' },
  { path: '_cluster/globalnetworkpolicy-ü.yaml', content: 'kind: GlobalNetworkPolicy\n' },
  { path: LONG, content: 'x'.repeat(1000) },
];
const MTIME = Date.parse('2025-11-01T10:00:00Z') / 1000;

async function entries(tar: Buffer): Promise<{ name: string; mode: number; mtime: number; content: string }[]> {
  const out: { name: string; mode: number; mtime: number; content: string }[] = [];
  const x = extract();
  x.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({ name: h.name, mode: h.mode ?? -1, mtime: (h.mtime?.getTime() ?? 0) / 1000, content: Buffer.concat(chunks).toString('utf8') });
      next();
    });
  });
  const finished = new Promise<void>((resolve, reject) => {
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  x.end(tar);
  await finished;
  return out;
}

test('every file comes back with its path (long and non-ASCII ones too), content, mode 644 and the given mtime, in order', async () => {
  const tar = await tarBundle(FILES, MTIME);
  assert.equal(tar.length % 512, 0);
  assert.deepEqual(await entries(tar), FILES.map((f) => ({ name: f.path, mode: 0o644, mtime: MTIME, content: f.content })));
});

test('the same files give the same bytes', async () => {
  assert.ok((await tarBundle(FILES, MTIME)).equals(await tarBundle(FILES, MTIME)));
  assert.ok(!(await tarBundle(FILES, MTIME)).equals(await tarBundle(FILES, MTIME + 1)));
});

test('GNU tar lists the bundle', async () => {
  const file = join(tmpDir(), 'b.tar');
  writeFileSync(file, await tarBundle(FILES, MTIME));
  const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listed, FILES.map((f) => f.path));
});
