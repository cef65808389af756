// The results root (`--results-dir`, default ./results), checked before anything is built or
// started: a run of eight hours must not reach its end with nowhere to write. Nothing is created
// here. The check walks up to the nearest folder that exists — never a recursive mkdir, which on
// procfs loops for ever (Node's mkdirSync({recursive}) keeps retrying a path /proc refuses) —
// refuses pseudo-filesystems (/proc, /sys), and proves the folder writable by writing and removing
// a temp file there: the only honest check (permission bits say nothing to root, nor about a
// read-only mount or a full disk).

import { randomBytes } from 'node:crypto';
import { realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

/** Kernel pseudo-filesystems: they accept paths, but results written there are not kept. */
export const PSEUDO_FILESYSTEMS = ['/proc', '/sys'] as const;

const under = (path: string, root: string) => path === root || path.startsWith(`${root}${sep}`);

/** The first folder on the way up from `path` that exists (`path` itself included), or what is in the way. */
function nearestExisting(path: string): { dir: string } | { notDir: string } {
  let at = path;
  for (;;) {
    try {
      return statSync(at).isDirectory() ? { dir: at } : { notDir: at };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a component on the way is a file; keep walking up to find which
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const parent = dirname(at);
    if (parent === at) return { dir: at };
    at = parent;
  }
}

/**
 * Why `dir` (relative to `cwd`) cannot hold results, or undefined when it can: it is or can be
 * created as a folder, under a writable folder that is not a pseudo-filesystem. Writes one temp
 * file into the nearest existing folder and removes it.
 */
export function resultsRootProblem(dir: string, cwd: string): string | undefined {
  if (dir.trim() === '') return 'is empty; give a folder, e.g. --results-dir ./results';
  const wanted = resolve(cwd, dir);
  for (const root of PSEUDO_FILESYSTEMS) {
    if (under(wanted, root)) return `${wanted} is under ${root}, a kernel pseudo-filesystem that keeps no files; give a folder on disk`;
  }
  let found;
  try {
    found = nearestExisting(wanted);
  } catch (error) {
    return `${wanted} cannot be examined: ${(error as Error).message}`;
  }
  if ('notDir' in found) {
    return found.notDir === wanted
      ? `${wanted} is a file, not a folder; give a folder (it is created if missing)`
      : `${wanted} cannot be created: ${found.notDir} is a file, not a folder`;
  }
  let real: string;
  try {
    real = realpathSync(found.dir);
  } catch (error) {
    return `${found.dir} cannot be resolved: ${(error as Error).message}`;
  }
  for (const root of PSEUDO_FILESYSTEMS) {
    if (under(real, root)) return `${wanted} leads to ${real}, under ${root}, a kernel pseudo-filesystem that keeps no files; give a folder on disk`;
  }
  const probe = resolve(found.dir, `.perflab-write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, 'perflab: can results be written here?\n', { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const where = found.dir === wanted ? wanted : `${found.dir} (where ${wanted} would be created)`;
    return `${where} is not writable: ${code}`;
  } finally {
    rmSync(probe, { force: true });
  }
  return undefined;
}
