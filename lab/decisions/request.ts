// What a run asks to decide, settled before anything starts (run flags -> DecisionRequest): the
// run's identity (what makes two runs comparable), the baseline it is compared with (read now: a
// missing or incomparable baseline is refused before the lab starts, not after the run), the lab
// config the capacity plan sizes against. I/O: the baseline file, the bundle's and the config's
// hashes, git.

import { parseDuration } from '../scenarios/profiles.ts';
import type { LabConfig } from '../config/types.ts';
import type { RunIdentity } from '../baseline/baseline.ts';
import { comparability } from '../baseline/compare.ts';
import { BaselineError, baselinePath, fileHash, gitCommit, readBaseline, resolveBaselineRef, sha256 } from '../baseline/store.ts';
import type { DecisionRequest } from './decideRun.ts';

export interface RequestInput {
  plan: {
    scenario: { name: string };
    shape: { profile: string; vus?: number; duration?: string };
    parallelism: number;
    target: 'local' | 'cluster';
    baseUrl: string | undefined;
    decisions: {
      saveBaseline: string | undefined;
      baseline: string | undefined; forceCompare: boolean; regressionPct: number | undefined;
      assessCapacity: boolean; planForRps: number | undefined; planForUsers: number | undefined;
    };
  };
  bundlePath: string;
  maxVUs: number;
  labConfig?: LabConfig;
  cwd: string;
}

/** The lab's scrape interval in seconds: the local lab scrapes every second; the cluster as its config says. */
export function scrapeIntervalS(target: 'local' | 'cluster', config?: LabConfig): number {
  if (target === 'local' || !config) return 1;
  return parseDuration(config.monitoring.scrapeInterval, 'monitoring.scrapeInterval') / 1000;
}

export function runIdentity(input: RequestInput): RunIdentity {
  const { plan } = input;
  return {
    scenario: plan.scenario.name,
    bundleHash: fileHash(input.bundlePath),
    profile: plan.shape.profile,
    vus: plan.shape.vus ?? null,
    duration: plan.shape.duration ?? null,
    parallelism: plan.parallelism,
    target: plan.target,
    baseUrl: plan.baseUrl ?? null,
    labConfigHash: input.labConfig ? sha256(JSON.stringify({ ...input.labConfig, slas: undefined })) : null,
    gitCommit: gitCommit(input.cwd),
  };
}

/** Throws BaselineError (a usage error: nothing has started) when the baseline cannot be read or is not comparable. */
export function decisionRequest(input: RequestInput): DecisionRequest & { scrapeIntervalS: number } {
  const d = input.plan.decisions;
  const identity = runIdentity(input);
  let baseline: DecisionRequest['baseline'];
  if (d.baseline !== undefined) {
    const path = resolveBaselineRef(d.baseline, input.cwd);
    const read = readBaseline(path);
    const { refusals } = comparability(read.identity, identity);
    if (refusals.length > 0 && !d.forceCompare) {
      throw new BaselineError(`not comparable with baseline ${read.name} (${path}): ${refusals.join('; ')}; run it as the baseline was run, or add --force-compare`);
    }
    baseline = { baseline: read, path, force: d.forceCompare, ...(d.regressionPct !== undefined ? { regressionPct: d.regressionPct } : {}) };
  }
  return {
    identity,
    ...(baseline ? { baseline } : {}),
    assessCapacity: d.assessCapacity,
    ...(d.planForRps !== undefined ? { planForRps: d.planForRps } : {}),
    ...(d.planForUsers !== undefined ? { planForUsers: d.planForUsers } : {}),
    ...(input.labConfig ? { labConfig: input.labConfig } : {}),
    maxVUs: input.maxVUs,
    ...(d.saveBaseline !== undefined ? { saveBaseline: { name: d.saveBaseline, path: baselinePath(d.saveBaseline, input.cwd) } } : {}),
    scrapeIntervalS: scrapeIntervalS(input.plan.target, input.labConfig),
  };
}

export { BaselineError };
