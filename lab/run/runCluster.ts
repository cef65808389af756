// A run on the cluster target: the bundle in a ConfigMap and a TestRun (k6-operator/testrun.ts),
// applied and followed by the cluster launcher until every runner has exited, then the same
// analysis and verdict as a local run, from the lab's Prometheus (--prometheus-url: reach the
// in-cluster one with a port-forward). `--dry-run` prints the YAML instead.

import { readFileSync } from 'node:fs';
import { buildRunObjects, type RunObjects } from '../../k6-operator/testrun.ts';
import { renderYaml } from '../../k6-operator/yaml.ts';
import { loadLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';
import { monitoringEndpoints } from '../cluster/names.ts';
import { nodeSelectorFor } from '../cluster/pools.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { analyseRun, selectorOf, unmeasuredAnalysis } from '../analysis/analyseRun.ts';
import type { RunnerOutcome } from '../analysis/verdict.ts';
import { judgedSlas } from '../sla/catalogue.ts';
import { finishRun, type RunOutcome } from './finish.ts';
import { startProgress } from './progress.ts';
import { UsageError } from './flags.ts';
import { clusterTargetSelector, clusterTargetUrl, prometheusPortForward } from './clusterHints.ts';
import type { RunPlan } from './plan.ts';
import type { PreparedScenario } from './prepare.ts';
import type { RunIo } from './io.ts';

/** What the cluster launcher gives back: every runner's exit code (and the TestRun's last stage). */
export interface LaunchResult {
  stage: string;
  runners: RunnerOutcome[];
}

/** The boundary to the cluster: apply, follow to the end, read exit codes; delete on abort. */
export type ClusterLauncher = (objects: RunObjects, opts: { signal: AbortSignal; log: (line: string) => void }) => Promise<LaunchResult>;

export function clusterRunObjects(plan: RunPlan, prepared: PreparedScenario, config: LabConfig): RunObjects {
  try {
    return buildRunObjects({
      runId: plan.runId,
      scenario: plan.scenario.name,
      namespace: plan.namespace ?? config.namespaces.load,
      parallelism: plan.parallelism,
      remoteWriteUrl: monitoringEndpoints(config).remoteWrite,
      baseUrl: plan.baseUrl ?? clusterTargetUrl(config),
      ...plan.shape,
      nodeSelector: nodeSelectorFor(config.k6Operator.runnerPool),
      separate: plan.parallelism > 1,
      scriptText: readFileSync(prepared.bundlePath, 'utf8'),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The dry run: the ConfigMap and TestRun as YAML, nothing applied. */
export function clusterDryRun(plan: RunPlan, prepared: PreparedScenario, config: LabConfig = loadLabConfig()): string {
  const objects = clusterRunObjects(plan, prepared, config);
  return renderYaml([objects.configMap, objects.testRun]);
}

/** C's launcher (client-node), loaded only for cluster runs: local runs do not pay for it. */
async function defaultLauncher(): Promise<ClusterLauncher> {
  const { launchTestRun } = await import('../cluster/launcher.ts');
  return async (objects, opts) => {
    const result = await launchTestRun(objects, { signal: opts.signal, log: opts.log });
    return { stage: result.stage, runners: result.runners.map((r) => ({ instance: r.instance, exitCode: r.exitCode })) };
  };
}

export async function runCluster(
  plan: RunPlan,
  prepared: PreparedScenario,
  resultsDir: string,
  io: RunIo,
  deps: { launcher?: ClusterLauncher; config?: LabConfig } = {},
): Promise<RunOutcome> {
  const config = deps.config ?? loadLabConfig();
  const objects = clusterRunObjects(plan, prepared, config);
  const startedAt = new Date();
  const prometheusUrl = plan.prometheusUrl!;
  const client = new PrometheusClient(prometheusUrl);
  const labErrors: string[] = [];
  if (!(await client.isReady())) {
    labErrors.push(`Prometheus at ${prometheusUrl} is not ready; reach the lab's with ${prometheusPortForward(config)}`);
  }
  let runners: RunnerOutcome[] = [];
  const runStartMs = Date.now();
  if (labErrors.length === 0) {
    const progress = startProgress({
      client, selector: selectorOf(plan.runId), startMs: runStartMs, totalMs: prepared.totalDurationMs, tty: io.tty, write: io.write,
    });
    try {
      const launch = deps.launcher ?? (await defaultLauncher());
      io.log(`run ${plan.runId}: applying ConfigMap + TestRun ${objects.testRun.metadata.name} in ${objects.testRun.metadata.namespace}`);
      const result = await launch(objects, { signal: io.signal, log: io.log });
      runners = result.runners;
      io.log(`run ${plan.runId}: TestRun ended in stage ${result.stage}`);
    } catch (error) {
      if (!io.signal.aborted) labErrors.push(`cluster: ${(error as Error).message}`);
    } finally {
      progress.stop();
    }
  }
  const runEndMs = Date.now();
  const slas = judgedSlas(prepared.slaIds);
  const analysis = labErrors.length === 0
    ? await analyseRun(client, {
      testid: plan.runId, slas, runStartMs, runEndMs, withSoakChecks: plan.soakChecks && !io.signal.aborted,
      ...(plan.baseUrl === undefined ? { targetSelector: clusterTargetSelector(config) } : {}),
    })
    : unmeasuredAnalysis(slas);
  return finishRun({
    plan, scenarioSlas: prepared.slaIds, resultsDir, startedAt, runners, analysis, labChecks: [], labErrors, interrupted: io.signal.aborted,
    prometheusUrl, runStartMs, runEndMs,
  }).result;
}
