// From a scenario name or path to a bundle k6 (local) or the k6-operator (cluster) can run:
// resolve -> type-check (tsc, k6 types) -> bundle (esbuild, <= 1 MiB) -> ask k6 what it will do.

import { join } from 'node:path';
import { bundleScenario } from './bundle.ts';
import { inspectScenario, type ScenarioInspection } from './inspect.ts';
import type { LoadShape } from './profiles.ts';
import { BUILD_DIR, resolveScenario, type ResolvedScenario } from './registry.ts';
import type { K6SlaId, K6Thresholds } from './thresholds.ts';
import { typecheckScenarios } from './typecheck.ts';

export interface BuildOptions {
  /** where bundles go (default build/scenarios). */
  outDir?: string;
  /** skip tsc (when the caller already type-checked a batch). */
  skipTypecheck?: boolean;
  /** resolve relative paths from here (default process.cwd()). */
  cwd?: string;
  /** the k6 binary for `k6 inspect` (default ensureK6()). */
  k6?: string;
  /** the user's `-e KEY=VALUE` env, which the scenario's init code may read (as k6 inspect sees it). */
  env?: Record<string, string>;
  /** how long k6 may take to load the scenario's init code (default SCENARIO_LOAD_TIMEOUT_MS, 30 s). */
  loadTimeoutMs?: number;
}

export interface BuiltScenario {
  name: string;
  source: string;
  bundlePath: string;
  bytes: number;
  /** the SLA ids the scenario declared (options.ext.perflab.slas). */
  slaIds: K6SlaId[];
  /** thresholds as k6 resolved them (smoke profile; thresholds do not depend on the profile). */
  thresholds: K6Thresholds;
  /** the most VUs k6 will run under this profile / overrides (what bounds TestRun parallelism). */
  maxVUs(profile: LoadShape['profile'], overrides?: Omit<LoadShape, 'profile'>): number;
  /** the full `k6 inspect` answer for a profile / overrides. */
  inspect(shape: LoadShape): ScenarioInspection;
}

export async function buildScenario(nameOrPath: string, options: BuildOptions = {}): Promise<BuiltScenario> {
  const scenario = resolveScenario(nameOrPath, options.cwd);
  if (!options.skipTypecheck) typecheckScenarios([scenario.file]);
  return bundleResolved(scenario, options);
}

/** Builds several at once: one tsc run for all (much faster than one per file), then a bundle each. */
export async function buildScenarios(namesOrPaths: readonly string[], options: BuildOptions = {}): Promise<BuiltScenario[]> {
  const scenarios = namesOrPaths.map((n) => resolveScenario(n, options.cwd));
  if (!options.skipTypecheck) typecheckScenarios(scenarios.map((s) => s.file));
  const built: BuiltScenario[] = [];
  for (const scenario of scenarios) built.push(await bundleResolved(scenario, options));
  return built;
}

async function bundleResolved(scenario: ResolvedScenario, options: BuildOptions): Promise<BuiltScenario> {
  const bundlePath = join(options.outDir ?? BUILD_DIR, `${scenario.name}.js`);
  const { bytes } = await bundleScenario(scenario.file, bundlePath);
  const cache = new Map<string, ScenarioInspection>();
  const inspect = (shape: LoadShape): ScenarioInspection => {
    const key = JSON.stringify(shape);
    let found = cache.get(key);
    if (!found) {
      found = inspectScenario(bundlePath, shape, options.k6, options.env, {
        source: scenario.file, ...(options.loadTimeoutMs !== undefined ? { timeoutMs: options.loadTimeoutMs } : {}),
      });
      cache.set(key, found);
    }
    return found;
  };
  const smoke = inspect({ profile: 'smoke' });
  return {
    name: scenario.name,
    source: scenario.file,
    bundlePath,
    bytes,
    slaIds: smoke.slaIds,
    thresholds: smoke.thresholds,
    maxVUs: (profile, overrides = {}) => inspect({ profile, ...overrides }).maxVUs,
    inspect,
  };
}
