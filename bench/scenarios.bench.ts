// What a user waits for between editing a scenario and k6 starting it: type-check (one tsc over
// every registered scenario), esbuild bundle, and `k6 inspect` per profile; and how big the
// bundles are next to the 1 MiB ConfigMap limit. Cold (first) and warm (repeat) builds.
// Goal: the whole set builds in under 15 s; every bundle far below 1 MiB.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleScenario } from '../lab/scenarios/bundle.ts';
import { buildScenarios } from '../lab/scenarios/build.ts';
import { inspectScenario } from '../lab/scenarios/inspect.ts';
import { CONFIGMAP_MAX_BYTES } from '../lab/scenarios/limits.ts';
import { SCENARIO_NAMES, resolveScenario } from '../lab/scenarios/registry.ts';
import { typecheckScenarios } from '../lab/scenarios/typecheck.ts';
import { ensureK6 } from '../lab/k6/binary.ts';

const GOAL_BUILD_ALL_S = 15;
const ROUNDS = 3;

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const k6 = ensureK6();
  const outDir = mkdtempSync(join(tmpdir(), 'scenarios-bench-'));
  try {
    const buildAll: number[] = [];
    let sizes: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const started = process.hrtime.bigint();
      const built = await buildScenarios(SCENARIO_NAMES, { outDir, k6 });
      buildAll.push(seconds(started));
      sizes = Object.fromEntries(built.map((b) => [b.name, b.bytes]));
      log(`build of ${built.length} scenarios, round ${round + 1}: ${buildAll.at(-1)!.toFixed(2)} s`);
    }
    const files = SCENARIO_NAMES.map((n) => resolveScenario(n).file);
    let started = process.hrtime.bigint();
    typecheckScenarios(files, outDir);
    const typecheckS = seconds(started);
    const bundleS: number[] = [];
    for (const name of SCENARIO_NAMES) {
      started = process.hrtime.bigint();
      await bundleScenario(resolveScenario(name).file, join(outDir, `${name}.js`));
      bundleS.push(seconds(started));
    }
    const inspectS: number[] = [];
    for (const name of SCENARIO_NAMES) {
      for (const profile of ['smoke', 'ci', 'full'] as const) {
        started = process.hrtime.bigint();
        inspectScenario(join(outDir, `${name}.js`), { profile }, k6);
        inspectS.push(seconds(started));
      }
    }
    const largest = Math.max(...Object.values(sizes));
    const result = {
      scenarios: SCENARIO_NAMES.length,
      buildAllSecondsCold: Number(buildAll[0]!.toFixed(2)),
      buildAllSecondsMedian: Number(median(buildAll).toFixed(2)),
      typecheckAllSeconds: Number(typecheckS.toFixed(2)),
      bundleSecondsMedian: Number(median(bundleS).toFixed(3)),
      k6InspectSecondsMedian: Number(median(inspectS).toFixed(3)),
      bundleBytes: sizes,
      largestBundleShareOfConfigMapLimit: Number((largest / CONFIGMAP_MAX_BYTES).toFixed(4)),
      goalBuildAllSeconds: GOAL_BUILD_ALL_S,
      goalMet: median(buildAll) < GOAL_BUILD_ALL_S,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
