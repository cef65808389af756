// Where baselines live (the I/O edge): baselines/NAME.json in the directory the user runs from (a
// folder to commit with the code), or any path; a run folder (results/<run-id>/) can stand in for
// a baseline, as compare.mjs takes either. Also what identifies a run: the bundle's hash, the lab
// config's hash, the git commit.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BASELINE_SCHEMA_VERSION, type Baseline } from './baseline.ts';

export const BASELINES_DIR = 'baselines';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Why NAME cannot be a baseline's name, or undefined. */
export function baselineNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : `"${name}" is not a baseline name: letters, digits, '.', '_' or '-' (it becomes baselines/<name>.json)`;
}

export function baselinePath(name: string, cwd: string): string {
  return join(resolve(cwd, BASELINES_DIR), `${name}.json`);
}

/** NAME (baselines/NAME.json), a .json path, or a run folder (its summary.json's saved baseline). */
export function resolveBaselineRef(ref: string, cwd: string): string {
  if (!ref.includes('/') && !ref.endsWith('.json') && baselineNameProblem(ref) === undefined) return baselinePath(ref, cwd);
  const path = resolve(cwd, ref);
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'summary.json');
  return path;
}

export class BaselineError extends Error {}

/** Reads a baseline file, or the baseline a run folder's summary.json carries (`comparable`). */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BaselineError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist (save one with --save-baseline NAME)' : (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const doc = parsed as Partial<Baseline> & { comparable?: Baseline };
  const baseline = doc.schemaVersion === BASELINE_SCHEMA_VERSION && Array.isArray(doc.figures) ? doc as Baseline : doc.comparable;
  if (!baseline || baseline.schemaVersion !== BASELINE_SCHEMA_VERSION || !Array.isArray(baseline.figures)) {
    throw new BaselineError(`${path} is not a perflab baseline (schemaVersion ${BASELINE_SCHEMA_VERSION}) nor a run's summary.json with its comparable figures`);
  }
  return baseline;
}

export function writeBaseline(path: string, baseline: Baseline): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(baseline, null, 2)}\n`);
  renameSync(tmp, path);
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileHash(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

/** The commit of the working tree at `cwd`, with "+dirty" when it has changes; null outside git. */
export function gitCommit(cwd: string): string | null {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}`;
}
