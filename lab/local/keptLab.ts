// Kept local labs (`--keep`): a run that leaves its lab up registers it in `.lab/kept/<run-id>.json`
// (the state folder and its lab.json), and `lab:down --target local` stops them later, each by
// the pid file in its state folder (stopRecordedProcesses), so only the lab's own processes are
// ever signalled, never anything matched by name.

import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabJson, writeLabJson } from './labJson.ts';
import { isRunning, PID_FILE, stopRecordedProcesses } from './supervisor.ts';

/** The project's registry of kept labs (under the git-ignored `.lab/`). */
export const KEPT_LABS_DIR = fileURLToPath(new URL('../../.lab/kept/', import.meta.url));

export interface KeptLab {
  runId: string;
  stateDir: string;
  /** results/<run-id>/lab.json, updated (kept: false) when the lab is stopped. */
  labJson?: string;
  keptAt: string;
}

export interface KeptLabsOptions {
  /** another registry folder (tests); default KEPT_LABS_DIR. */
  keptDir?: string;
}

const RUN_ID = /^[A-Za-z0-9._-]+$/;

function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`runId must be letters, digits, '.', '_' or '-', got ${JSON.stringify(runId)}`);
}

/** Records a lab as kept; returns the registry file. */
export function registerKeptLab(lab: Omit<KeptLab, 'keptAt'>, options: KeptLabsOptions = {}): string {
  checkRunId(lab.runId);
  const dir = options.keptDir ?? KEPT_LABS_DIR;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${lab.runId}.json`);
  writeFileSync(file, `${JSON.stringify({ ...lab, keptAt: new Date().toISOString() }, null, 2)}\n`);
  return file;
}

/** Forgets a kept lab without stopping it (its processes were stopped some other way). */
export function unregisterKeptLab(runId: string, options: KeptLabsOptions = {}): void {
  checkRunId(runId);
  rmSync(join(options.keptDir ?? KEPT_LABS_DIR, `${runId}.json`), { force: true });
}

export function listKeptLocalLabs(options: KeptLabsOptions = {}): KeptLab[] {
  const dir = options.keptDir ?? KEPT_LABS_DIR;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeptLab];
      } catch {
        return []; // a half-written or foreign file is not a lab
      }
    });
}

/**
 * Stops kept local labs (all, or the one with `runId`) and forgets them. Returns, per lab, the
 * names of the processes it stopped (empty when they had already gone). Idempotent, like
 * `lab:down`: nothing kept (or an unknown `runId`) returns []. A malformed `runId` throws.
 */
export async function stopKeptLocalLabs(
  opts: { runId?: string } & KeptLabsOptions = {},
): Promise<Array<{ runId: string; stopped: string[] }>> {
  const kept = listKeptLocalLabs(opts);
  let chosen = kept;
  if (opts.runId !== undefined) {
    checkRunId(opts.runId);
    chosen = kept.filter((k) => k.runId === opts.runId);
  }
  const results: Array<{ runId: string; stopped: string[] }> = [];
  for (const lab of chosen) {
    const recorded = readPidFile(lab.stateDir);
    const stopped = existsSync(lab.stateDir) ? await stopRecordedProcesses(lab.stateDir) : [];
    stopped.push(...(await stopRetitled(lab.stateDir, recorded.filter((r) => !stopped.includes(r.name)))));
    if (lab.labJson && existsSync(lab.labJson)) {
      try {
        const json = readLabJson(lab.labJson);
        writeLabJson(join(lab.labJson, '..'), { ...json, kept: false });
      } catch {
        // an unreadable lab.json does not keep the lab running
      }
    }
    unregisterKeptLab(lab.runId, opts);
    results.push({ runId: lab.runId, stopped });
  }
  return results;
}

interface RecordedProcess {
  name: string;
  pid: number;
  cmdline: string;
}

function readPidFile(stateDir: string): RecordedProcess[] {
  try {
    return JSON.parse(readFileSync(join(stateDir, PID_FILE), 'utf8')) as RecordedProcess[];
  } catch {
    return [];
  }
}

/**
 * stopRecordedProcesses only signals a pid whose /proc cmdline is still the recorded one, so a
 * reused pid is never hit. redis-server rewrites its own process title ("redis-server
 * 127.0.0.1:7001 [cluster]"), so it is skipped there and would be left running. Such a process
 * is ours when it still runs the recorded program (/proc/<pid>/exe) from inside the lab's state
 * folder (/proc/<pid>/cwd: Redis works in its node folder): stop those too, SIGTERM then SIGKILL.
 * (A supervisor that recorded each process' start time would make this unnecessary.)
 */
async function stopRetitled(stateDir: string, candidates: RecordedProcess[]): Promise<string[]> {
  const root = resolve(stateDir) + sep;
  const ours = candidates.filter((r) => {
    if (!isRunning(r.pid)) return false;
    try {
      // realpath: Debian's /usr/bin/redis-server is a symlink (to redis-check-rdb)
      const program = realpathSync(r.cmdline.split('\0')[0] ?? '');
      return readlinkSync(`/proc/${r.pid}/exe`) === program && `${readlinkSync(`/proc/${r.pid}/cwd`)}${sep}`.startsWith(root);
    } catch {
      return false;
    }
  });
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  };
  for (const r of ours) signal(r.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (ours.some((r) => isRunning(r.pid)) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  for (const r of ours.filter((o) => isRunning(o.pid))) signal(r.pid, 'SIGKILL');
  return ours.map((r) => r.name);
}
