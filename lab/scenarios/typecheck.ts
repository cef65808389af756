// Type-checks scenario files with tsc against the k6 types (no Node types), wherever the files
// live: a throwaway tsconfig extends scenarios/tsconfig.json, so `perflab` and `k6/*` resolve
// for a user's file outside the repository too.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILD_DIR, SCENARIOS_DIR } from './registry.ts';
import { PROJECT_ROOT } from '../paths.ts';

export class ScenarioTypeError extends Error {
  constructor(
    readonly files: string[],
    readonly diagnostics: string,
  ) {
    super(`scenario type errors:\n${diagnostics.trim()}`);
  }
}

const TSC = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Runs tsc over the TypeScript files (one program); throws ScenarioTypeError with tsc's
 * diagnostics. A plain JavaScript k6 script — the form of every k6 snippet users have — is not
 * type-checked: it is bundled and loaded by k6 like any scenario.
 */
export function typecheckScenarios(files: readonly string[], workDir: string = BUILD_DIR): void {
  const absolute = files.filter((f) => !/\.(m?js)$/.test(f)).map((f) => resolve(f));
  if (absolute.length === 0) return;
  mkdirSync(workDir, { recursive: true });
  // unique per call: two builds of the same files may run at once (tests, a user's second shell)
  const id = createHash('sha256').update(`${absolute.join('\n')}\n${process.pid}\n${Math.random()}`).digest('hex').slice(0, 12);
  const config = join(workDir, `tsconfig.check-${id}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(SCENARIOS_DIR, 'tsconfig.json'),
      files: [join(SCENARIOS_DIR, 'lib', 'globals.d.ts'), ...absolute],
      include: [],
    }),
  );
  try {
    const out = spawnSync(process.execPath, [TSC, '-p', config, '--pretty', 'false'], { encoding: 'utf8' });
    if (out.error) throw new Error(`could not run tsc (${TSC}): ${out.error.message}`);
    if (out.status !== 0) throw new ScenarioTypeError(absolute, `${out.stdout}${out.stderr}`);
  } finally {
    rmSync(config, { force: true });
  }
}
