// Kept local labs (`--keep`): a run that leaves its lab up registers it in `.lab/kept/<run-id>.json`
// (the state folder and its lab.json), and `lab:down --target local` stops them later, each by
// the pid file in its state folder (stopRecordedProcesses), so only the lab's own processes are
// ever signalled, never anything matched by name.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabJson, writeLabJson } from './labJson.ts';
import { stopRecordedProcesses } from '../process/supervisor.ts';
import { removeStateDirPostgresData } from './postgres/placement.ts';

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
    const stopped = existsSync(lab.stateDir) ? await stopRecordedProcesses(lab.stateDir) : [];
    // its Postgres data lives in memory (/dev/shm) until removed
    if (existsSync(lab.stateDir)) removeStateDirPostgresData(lab.stateDir);
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

