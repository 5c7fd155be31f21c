/**
 * Replaces a file's content all at once: written and flushed to a temporary file beside it, then
 * renamed over it (a rename within one directory is atomic on POSIX file systems). A write that
 * fails part-way — a full disk, a file size limit, the process killed — leaves the file as it was,
 * never its first part: a truncated policy manifest can mean something much wider than the whole
 * one (a NetworkPolicy cut before its `podSelector` selects every pod of its namespace).
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temporary file's name: hidden and not `.yaml`, so no tool reading the directory's manifests picks it up. */
const temporaryName = (file: string): string => join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);

export async function writeWhole(file: string, text: string): Promise<void> {
  const tmp = temporaryName(file);
  try {
    const handle = await open(tmp, 'w', 0o666);
    try {
      await handle.writeFile(text);
      // On disk before the rename: after a power loss the name holds the old text or the new one.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
