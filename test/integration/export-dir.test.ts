/**
 * `export --out DIR` for GitOps: afterwards DIR holds exactly the current
 * recommendation; files flowmatrix wrote that are no longer recommended are removed (within the
 * exported namespace for -n), files it did not write are never removed or overwritten, and the
 * summary says what was added, changed and removed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { writtenByFlowmatrix } from '../../cli/export-dir.ts';
import { runCli } from '../helpers/cli.ts';
import { storeOneConnection } from '../helpers/one-connection-store.ts';
import { tmpDir } from '../helpers/tmp.ts';

const work = tmpDir();
const db = join(work, 'f.db');

interface Summary {
  engine: string;
  files: number;
  added: string[];
  changed: string[];
  removed: string[];
  kept: string[];
  unchanged: number;
}

function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function exportTo(dir: string, ...args: string[]): Promise<Summary> {
  const r = await runCli(['export', '--db', db, '--out', dir, ...args]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Summary;
}

test('setup: the fixture cluster and one observed connection', () => storeOneConnection(db, work));

test('writtenByFlowmatrix: one manifest labelled managed-by flowmatrix, at the path of its kind, namespace and name', () => {
  const ours = 'kind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    app.kubernetes.io/managed-by: flowmatrix\n';
  const at = 'shop/networkpolicy-web.yaml';
  assert.equal(writtenByFlowmatrix(at, ours), true);
  assert.equal(writtenByFlowmatrix('shop/my-backup-of-web.yaml', ours), false, 'a copy at another path is not ours');
  assert.equal(writtenByFlowmatrix('tools/networkpolicy-web.yaml', ours), false, 'nor in another namespace\'s folder');
  assert.equal(writtenByFlowmatrix('_cluster/networkpolicy-web.yaml', ours), false);
  assert.equal(writtenByFlowmatrix(at, `${ours}---\n${ours}`), false, 'a file of two manifests is not one flowmatrix writes');
  assert.equal(writtenByFlowmatrix(at, `${ours}---\nmetadata: { name: x }\n`), false, 'a file with one foreign document is not ours');
  assert.equal(writtenByFlowmatrix(at, ours.replace('flowmatrix\n', 'helm\n')), false);
  assert.equal(writtenByFlowmatrix('_cluster/clusternetworkpolicy-web.yaml', ours.replace('NetworkPolicy', 'ClusterNetworkPolicy').replace('  namespace: shop\n', '')), true, 'a cluster-scoped one under _cluster/');
  assert.equal(writtenByFlowmatrix(at, ''), false);
  assert.equal(writtenByFlowmatrix(at, '{ not yaml'), false);
  // A document that does not parse says nothing of whose the file is: never ours to overwrite or prune.
  assert.equal(writtenByFlowmatrix(at, `${ours}---\nspec: ${'['.repeat(600)}${']'.repeat(600)}\n`), false, 'a document nested too deep');
  assert.equal(writtenByFlowmatrix(at, `${ours}---\nspec: [1\n`), false, 'an unclosed flow sequence');
});

test('a second export of the same recommendation changes nothing; another engine replaces our files and keeps the user\'s', async () => {
  const dir = join(work, 'gitops');
  const first = await exportTo(dir, '--engine', 'kubernetes');
  assert.ok(first.files > 3);
  assert.equal(first.added.length, first.files);
  assert.deepEqual([first.changed, first.removed, first.unchanged], [[], [], 0]);
  assert.deepEqual(tree(dir), [...first.added].sort());

  const again = await exportTo(dir, '--engine', 'kubernetes');
  assert.deepEqual([again.added, again.changed, again.removed, again.unchanged], [[], [], [], first.files]);

  // A hand edit to one of our files is undone (changed); the user's own files stay.
  const edited = first.added[0]!;
  writeFileSync(join(dir, edited), readFileSync(join(dir, edited), 'utf8').replace('flowmatrix.io/explanation', 'flowmatrix.io/explained'));
  mkdirSync(join(dir, 'shop'), { recursive: true });
  writeFileSync(join(dir, 'shop', 'mine.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: mine, namespace: shop }\n');
  writeFileSync(join(dir, 'README.md'), 'policies\n');
  const fixed = await exportTo(dir, '--engine', 'kubernetes');
  assert.deepEqual([fixed.added, fixed.changed, fixed.removed, fixed.unchanged], [[], [edited], [], first.files - 1]);

  const cilium = await exportTo(dir, '--engine', 'cilium');
  assert.deepEqual([...cilium.removed].sort(), [...first.added].sort(), 'every kubernetes file flowmatrix wrote is gone');
  assert.ok(cilium.added.every((f) => /\/ciliumnetworkpolicy-|\/ciliumclusterwidenetworkpolicy-/.test(f)), cilium.added.join(','));
  assert.deepEqual(tree(dir), [...cilium.added, 'README.md', 'shop/mine.yaml'].sort());
});

test('only a file at the path of the one manifest it holds is ours: a labelled copy, a renamed file or a file of several is kept and said so', async () => {
  // The reproduction: `cp shop/networkpolicy-….yaml shop/my-backup-of-….yaml` in the export
  // directory, then an export that no longer holds that policy removed the backup too.
  const dir = join(work, 'copies');
  const first = await exportTo(dir, '--engine', 'kubernetes');
  const original = first.added.find((f) => f.startsWith('shop/networkpolicy-'))!;
  const text = readFileSync(join(dir, original), 'utf8');
  const backup = 'shop/my-backup-of-policy.yaml';
  writeFileSync(join(dir, backup), text);
  // Another namespace's folder: a labelled manifest of namespace shop is not that folder's file either.
  mkdirSync(join(dir, 'elsewhere'), { recursive: true });
  const moved = `elsewhere/${original.slice('shop/'.length)}`;
  writeFileSync(join(dir, moved), text);
  // Two of our manifests in one file: not a file flowmatrix writes.
  const second = first.added.find((f) => f.startsWith('shop/networkpolicy-') && f !== original)!;
  const bundle = 'shop/bundle.yaml';
  writeFileSync(join(dir, bundle), `${text}---\n${readFileSync(join(dir, second), 'utf8')}`);

  const cilium = await exportTo(dir, '--engine', 'cilium');
  assert.deepEqual([...cilium.removed].sort(), [...first.added].sort(), 'every file flowmatrix wrote is gone, and only those');
  assert.deepEqual(cilium.kept, [bundle, moved, backup].sort(), 'the labelled files it did not write are kept, and named');
  for (const f of [backup, moved, bundle]) assert.ok(existsSync(join(dir, f)), `${f} is kept`);

  const again = await exportTo(dir, '--engine', 'cilium');
  assert.deepEqual([again.removed, again.kept], [[], [bundle, moved, backup].sort()]);
});

test('-n NS prunes that namespace\'s folder only; --workload prunes nothing; a foreign file in the way is never overwritten', async () => {
  const dir = join(work, 'per-namespace');
  const all = await exportTo(dir, '--engine', 'kubernetes');
  const outside = all.added.filter((f) => !f.startsWith('shop/'));
  assert.ok(outside.length > 0);
  const shopCilium = await exportTo(dir, '--engine', 'cilium', '-n', 'shop');
  assert.ok(shopCilium.removed.length > 0 && shopCilium.removed.every((f) => f.startsWith('shop/')), shopCilium.removed.join(','));
  for (const f of outside) assert.ok(existsSync(join(dir, f)), `${f} outside the namespace is kept`);

  const one = await exportTo(dir, '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/web');
  assert.deepEqual(one.removed, []);
  assert.ok(one.added.length > 0);

  const target = one.added[0]!;
  writeFileSync(join(dir, target), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: someone-elses }\n');
  const before = tree(dir);
  const refused = await runCli(['export', '--db', db, '--out', dir, '--engine', 'kubernetes', '-n', 'shop']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /refusing to overwrite .*: it was not written by flowmatrix/);
  assert.deepEqual(tree(dir), before, 'a refusal changes nothing');
});

test('-n NS prunes the cluster-scoped files of that namespace\'s workloads too (by their intent annotation), and no other namespace\'s', async () => {
  const dir = join(work, 'cluster-scoped');
  const all = await exportTo(dir, '--engine', 'clusternetworkpolicy');
  const shopFiles = all.added.filter((f) => f.startsWith('_cluster/') && readFileSync(join(dir, f), 'utf8').includes('flowmatrix.io/intent: shop/'));
  const others = all.added.filter((f) => f.startsWith('_cluster/') && !shopFiles.includes(f));
  assert.ok(shopFiles.length > 0 && others.length > 0);
  // A shop workload's file that the recommendation no longer holds (as for a workload gone from the cluster).
  const stale = '_cluster/clusternetworkpolicy-shop-deployment-gone.yaml';
  // Its file as flowmatrix wrote it: the name its path says.
  const goneName = (text: string): string => text.replace(/^(  name: ).*$/m, '$1shop-deployment-gone');
  writeFileSync(join(dir, stale), goneName(readFileSync(join(dir, shopFiles[0]!), 'utf8').replaceAll('shop/deployment/', 'shop/deployment/gone-')));
  const otherStale = '_cluster/clusternetworkpolicy-tools-deployment-gone.yaml';
  writeFileSync(join(dir, otherStale), readFileSync(join(dir, shopFiles[0]!), 'utf8').replaceAll('flowmatrix.io/intent: shop/', 'flowmatrix.io/intent: tools/'));
  const shop = await exportTo(dir, '--engine', 'clusternetworkpolicy', '-n', 'shop');
  assert.deepEqual(shop.removed, [stale]);
  assert.ok(existsSync(join(dir, otherStale)), 'another namespace\'s file is not this export\'s to remove');
  for (const f of others) assert.ok(existsSync(join(dir, f)), f);
});

test('a symbolic link under DIR (a namespace folder, or a file) is never written through: refused before anything changes, nothing lands where it points', async () => {
  for (const link of ['folder', 'file'] as const) {
    const dir = join(tmpDir(), 'out');
    const elsewhere = join(tmpDir(), 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const first = await exportTo(join(tmpDir(), 'probe'), '--engine', 'kubernetes');
    const rel = first.added.find((f) => f.startsWith('shop/'))!;
    mkdirSync(join(dir, 'shop'), { recursive: true });
    if (link === 'folder') {
      rmSync(join(dir, 'shop'), { recursive: true });
      symlinkSync(elsewhere, join(dir, 'shop'));
    } else symlinkSync(join(elsewhere, 'victim.yaml'), join(dir, rel));
    const r = await runCli(['export', '--db', db, '--out', dir, '--engine', 'kubernetes']);
    assert.equal(r.code, 1, link);
    assert.match(r.err, /is a symbolic link, which could lead outside/);
    assert.deepEqual(readdirSync(elsewhere), [], `${link}: nothing written where the link points`);
  }
});
