/**
 * Whether a new glob match may be followed now, so that no file is read twice under two names.
 * A rotation by rename gives the old file a new name that the same glob may match
 * (`flows.json` → `flows-1.json` under `*.json`); the follower of the old name finishes that file
 * itself (follower.ts), so the new name must start where it stopped, never at 0:
 *  - the file is held open by a follower (a rotated file being finished): not now;
 *  - an offset not yet committed names it (a rotated file finished in the current batch): not now;
 *  - the path has its own stored offset: followed from it (the follower checks it is the same file);
 *  - the stored offset of another path that is followed or matched names this file (a restart
 *    after a rotation: that path's follower will find and finish it): not now;
 *  - the stored offset of a path neither followed nor matched names it: followed from that offset;
 *  - else a new file: followed from its start.
 * Another path's stored offset names this file only if its first bytes are the ones the offset
 * recorded (file-identity.ts): a gone file's row may be left (the store refused to delete it when
 * the file was forgotten, or it went while flowmatrix was down), and a file created as it was
 * deleted gets its inode back; going on from that row's offset would lose the new file's first lines.
 * "Not now" is looked at again at the next scan. A path admitted but not opened yet counts as
 * holding the file it was admitted as: two names of one file (a symlink) met in one scan give one.
 */
import { stat } from 'node:fs/promises';
import type { FileIdentity, FileOffset, FileOffsetStore } from '../../store/file-offsets.ts';
import { identityOf, isFile, sameFile } from './file-identity.ts';

export interface FollowedState {
  path: string;
  /** The file held open, else the one the path was admitted as. */
  holding: FileIdentity | undefined;
  /** Offsets of rotated files finished and not yet committed. */
  pending: readonly FileIdentity[];
}

/** The file to follow under `path` now, or undefined: not now. */
export async function admission(path: string, followed: readonly FollowedState[], matched: ReadonlySet<string>, offsets: FileOffsetStore): Promise<FileIdentity | undefined> {
  const id = await stat(path, { bigint: true }).then(identityOf, () => undefined);
  // Gone again, or not a regular file: nothing to follow.
  if (!id) return undefined;
  if (followed.some((f) => sameFile(f.holding, id) || f.pending.some((o) => sameFile(o, id)))) return undefined;
  if (offsets.get(path)) return id;
  const rows: FileOffset[] = [];
  for (const r of offsets.byIdentity(id)) if (r.path !== path && (await isFile(path, r))) rows.push(r);
  const followedPaths = new Set(followed.map((f) => f.path));
  if (rows.some((r) => followedPaths.has(r.path) || matched.has(r.path))) return undefined;
  const adopt = rows[0];
  if (adopt) offsets.save({ ...adopt, path });
  return id;
}
