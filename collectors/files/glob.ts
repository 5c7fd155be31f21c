/**
 * File-name globs for followed files: `*`, `?` and bracket classes (`[0-9]`, `[!.]`, `[^.]`) in the
 * LAST path segment only (`/var/log/netobserv/*.json`, `/var/log/hubble/hubble-*.log`); the
 * directory is literal, so expanding a pattern is one readdir.
 *
 * Why a small matcher and not a library: node 20 has no stable glob (`fs.glob` is node 22;
 * `path.matchesGlob` is experimental in 20.17+, warns on use, and this package supports >= 20.12),
 * and no maintained glob library is a dependency. The rules follow minimatch's (which
 * `path.matchesGlob` uses): a wildcard never matches a leading `.`; an unclosed `[` is literal; a
 * `]` first in a class is literal. test/unit/files-glob.test.ts checks this matcher against
 * `path.matchesGlob` on generated names and patterns. Braces, extglobs, `**` and escapes are
 * refused (globSyntaxProblem), never read differently from minimatch.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const MAGIC = /[*?[]/;

/** True when the path's last segment holds a wildcard or a class. */
export function isGlob(path: string): boolean {
  return MAGIC.test(basename(path));
}

/** Why a followed-file pattern cannot be used, or undefined when it can. */
export function globSyntaxProblem(path: string): string | undefined {
  if (MAGIC.test(dirname(path))) return 'a wildcard may only be in the file name, not in a directory';
  const name = basename(path);
  if (/[{}()\\]/.test(name)) return 'braces, extglobs ( @(…) +(…) ) and backslash escapes are not supported; use *, ? and [...]';
  if (name.includes('**')) return '** (recursive) is not supported; the directory is literal';
  return undefined;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The bracket class starting at `i` (at `[`) as a RegExp class and the index after it, or undefined if unclosed. */
function bracket(p: string, i: number): { re: string; next: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (p[j] === '!' || p[j] === '^') {
    negate = true;
    j++;
  }
  const items: string[] = [];
  let first = true;
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    const c = p[j] as string;
    if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
      const hi = p[j + 2] as string;
      // A reversed range matches nothing (as minimatch's RegExp would refuse it; kept empty here).
      if (c <= hi) items.push(`${escape(c)}-${escape(hi)}`);
      j += 3;
    } else {
      items.push(escape(c));
      j++;
    }
  }
  if (j >= p.length) return undefined;
  const body = items.join('');
  if (body === '') return { re: negate ? '[^/]' : '(?!)', next: j + 1 };
  return { re: negate ? `[^/${body}]` : `[${body}]`, next: j + 1 };
}

/** A file-name pattern as a RegExp over whole names. */
export function globRegExp(namePattern: string): RegExp {
  let re = '';
  for (let i = 0; i < namePattern.length; ) {
    const c = namePattern[i] as string;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const b = bracket(namePattern, i);
      if (b) {
        re += b.re;
        i = b.next;
      } else {
        re += '\\[';
        i++;
      }
    } else {
      re += escape(c);
      i++;
    }
  }
  // A wildcard or class at the start never matches a leading dot (minimatch's `dot: false`);
  // minimatch reads a one-character class `[.]` as the literal dot.
  const leadingDot = namePattern.startsWith('.') || namePattern.startsWith('[.]') ? '' : '(?!\\.)';
  // `.` and `..` are never a followed file (readdir does not list them; minimatch never matches them).
  return new RegExp(`^(?!\\.\\.?$)${leadingDot}${re}$`);
}

/** The entries of the pattern's directory whose names match, sorted; none when the directory does not exist. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const re = globRegExp(basename(pattern));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  // Symbolic links too (the follower stats through them and keeps regular files only).
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && re.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}
