// Where the lab's Postgres data lives: in memory (/dev/shm) by default, else on disk; the unix
// socket folder; and the sweep that frees the data of finished labs (and templates no lab uses any
// more), which is not removed with a state folder when it lives outside it.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statfsSync, statSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { chownToPostgres } from './osUser.ts';

/** Postgres' own limit on a unix socket path (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH = 107;

/** The data directory templates' folders (template.ts) and, while one is built, its build folder's. */
export const TEMPLATE_PREFIX = 'perflab-pg-template-';
export const TEMPLATE_BUILD_PREFIX = `${TEMPLATE_PREFIX}build-`;

/** Room the lab's Postgres may take in memory before we prefer disk (3 servers + seed + WAL). */
const MIN_MEMORY_ROOM = 2 * 1024 ** 3;
export const MEMORY_DATA_PARENT = '/dev/shm';
const MEMORY_DATA_PREFIX = 'perflab-pg-';
/** A memory folder this young may belong to a lab that is still copying: never swept. */
const SWEEP_MIN_AGE_MS = 10 * 60_000;
/** A template no lab has started from for this long is swept (each start from it touches its marker). */
const TEMPLATE_MAX_IDLE_MS = 7 * 24 * 3600_000;

export function defaultDataPlacement(): 'memory' | 'disk' {
  try {
    const fs = statfsSync(MEMORY_DATA_PARENT);
    const TMPFS_MAGIC = 0x01021994;
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MIN_MEMORY_ROOM ? 'memory' : 'disk';
  } catch {
    return 'disk';
  }
}

/**
 * Removes the Postgres data of a stopped lab found from its state folder alone (a kept lab being
 * torn down): `<stateDir>/postgres`, the folder or the /dev/shm folder it links to.
 */
export function removeStateDirPostgresData(stateDir: string): void {
  const link = join(resolve(stateDir), 'postgres');
  if (!existsSync(link)) return;
  removePostgresData(realpathSync(link));
  rmSync(link, { recursive: true, force: true });
}

/** A folder under /dev/shm for this run, linked as <stateDir>/postgres so people find it. */
export function memoryRoot(stateDir: string): string {
  const root = mkdtempSync(join(MEMORY_DATA_PARENT, MEMORY_DATA_PREFIX));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  const link = join(resolve(stateDir), 'postgres');
  mkdirSync(dirname(link), { recursive: true });
  try {
    symlinkSync(root, link);
  } catch {
    // a second Postgres in the same state folder: the link names the first; rootDir is returned anyway
  }
  return root;
}

/**
 * Data outside the state folder is not removed with it: a lab's folder in /dev/shm (memory) or,
 * for a state folder the postgres user cannot traverse, in os.tmpdir() (disk) stays until
 * removed. Every start therefore removes the folders of labs that are gone — older than
 * SWEEP_MIN_AGE_MS and with no process running inside (Postgres servers keep their data
 * directory as working directory, so a running or kept lab always has some). A template build
 * goes only when abandoned (a killed lab's); a template when no lab started from it for
 * TEMPLATE_MAX_IDLE_MS (one left behind when the recipe, Postgres or the seed changed).
 * Returns the folders removed.
 */
export async function sweepFinishedLabsData(log: (line: string) => void = () => {}): Promise<string[]> {
  const folders = [...new Set([MEMORY_DATA_PARENT, tmpdir()])].flatMap((parent) => {
    try {
      return readdirSync(parent)
        .filter((d) => d.startsWith(MEMORY_DATA_PREFIX))
        .map((d) => join(parent, d));
    } catch {
      return [];
    }
  });
  if (folders.length === 0) return [];
  const inUse = processWorkingDirectories();
  const removed: string[] = [];
  for (const folder of folders) {
    try {
      if (Date.now() - lastUsedMs(folder) < maxIdleMs(folder)) continue;
      if (inUse.some((cwd) => cwd === folder || cwd.startsWith(`${folder}/`))) continue;
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // gone already, or not ours to remove
    }
  }
  if (removed.length) log(`postgres: removed ${removed.length} data folder(s) of finished labs`);
  return removed;
}

function isTemplate(folder: string): boolean {
  const name = basename(folder);
  return name.startsWith(TEMPLATE_PREFIX) && !name.startsWith(TEMPLATE_BUILD_PREFIX);
}

function maxIdleMs(folder: string): number {
  return isTemplate(folder) ? TEMPLATE_MAX_IDLE_MS : SWEEP_MIN_AGE_MS;
}

/** A template's last use is its marker's mtime (touched by every start from it); else the folder's. */
function lastUsedMs(folder: string): number {
  const marker = join(folder, 'complete');
  return isTemplate(folder) && existsSync(marker) ? statSync(marker).mtimeMs : statSync(folder).mtimeMs;
}

/** Removes a stopped lab's Postgres data (what `rootDir` names): frees its memory at once. */
export function removePostgresData(rootDir: string): void {
  rmSync(rootDir, { recursive: true, force: true });
}

function processWorkingDirectories(): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      return [readlinkSync(`/proc/${pid}/cwd`)];
    } catch {
      return [];
    }
  });
}

/**
 * The folder for data directories. The postgres user must be able to traverse every ancestor of
 * it; a state folder under a private home (0700) is not, so the data then goes under os.tmpdir().
 */
export function postgresRoot(stateDir: string): string {
  const wanted = join(resolve(stateDir), 'postgres');
  const root = traversableByOthers(dirname(wanted))
    ? (mkdirSync(wanted, { recursive: true }), wanted)
    : mkdtempSync(join(tmpdir(), 'perflab-pg-'));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  return root;
}

export function socketFolder(rootDir: string): string {
  // room for "/.s.PGSQL.65535.lock"
  const inRoot = join(rootDir, 'sockets');
  const dir = inRoot.length + 21 <= MAX_SOCKET_PATH ? inRoot : mkdtempSync(join(tmpdir(), 'perflab-pgsock-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  chownToPostgres(dir);
  return dir;
}

export function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (!existsSync(d)) continue;
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) return true;
  }
}
