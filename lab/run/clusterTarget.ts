// The cluster target: the lab on Kubernetes, deployed by `lab:up`, reached through the lab config's
// kubeconfig context; the bundle in a ConfigMap and a TestRun (k6-operator/testrun.ts) that the
// launcher (lab/cluster/launcher.ts) applies and follows until every runner has exited; the lab's
// Prometheus, reached from here with --prometheus-url (a port-forward), judges the run and says
// how healthy the lab is (clusterLabChecks.ts).
// `--dry-run` prints the ConfigMap and TestRun instead.

import { readFileSync } from 'node:fs';
import { buildRunObjects, BROWSER_RUNNER_RESOURCES, DEFAULT_RUNNER_RESOURCES, type RunObjects } from '../../k6-operator/testrun.ts';
import { K6_BROWSER_RUNNER_IMAGE } from '../versions.ts';
import { targetResourcesFor } from '../sla/targetResources.ts';
import { renderYaml } from '../../k6-operator/yaml.ts';
import { loadLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';
import { monitoringEndpoints } from '../cluster/names.ts';
import { clusterNodes, nodeSelectorFor, POOL_LABEL } from '../cluster/pools.ts';
import { runnersFit } from '../config/fit.ts';
import type { TestRunReport, TestRunStage } from '../cluster/launcher.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { UsageError } from './flags.ts';
import { maskSecrets } from '../k6/runnerContract.ts';
import { prometheusPortForward } from './clusterHints.ts';
import { clusterTargetSelector, clusterTargetUrl } from '../cluster/names.ts';
import { readClusterLabChecks } from './clusterLabChecks.ts';
import type { RunPlan } from './plan.ts';
import type { PreparedScenario } from './prepare.ts';
import { LabUnavailable, type ReachedLab, type RunContext, type RunnersEnded, type RunTarget } from './runTarget.ts';
import { lazyFaultDriver } from '../faults/driver.ts';

/** The boundary to the cluster: apply, follow to the end, report the facts; delete on abort. */
export type ClusterLauncher = (
  objects: RunObjects,
  opts: { signal: AbortSignal; log: (line: string) => void; onStage?: (stage: TestRunStage | 'unknown') => void },
) => Promise<TestRunReport>;

/** The stages in which the runners run or ran: the progress line shows figures, not a wait. */
const RUNNING: ReadonlySet<string> = new Set(['started', 'stopped', 'finished', 'error']);
/** k6's remote-write default push interval: the TestRun sets none. */
const PUSH_INTERVAL_S = 5;

export interface ClusterDeps {
  /** a stand-in for the real launcher (tests). */
  launcher?: ClusterLauncher;
  /** the lab config (default: LAB_PROFILE / LAB_CONFIG). */
  config?: LabConfig;
}

/**
 * Spread the runners one per node (the operator's `separate`, a required hostname anti-affinity)
 * only where the runner pool has a node for each; else they share the pool's node — more than one
 * separate runner on the lab's one load node would stay Pending for ever.
 */
export function separateRunners(config: LabConfig, parallelism: number): boolean {
  const nodes = clusterNodes(config).filter((n) => n.labels[POOL_LABEL] === config.k6Operator.runnerPool).length;
  return parallelism > 1 && parallelism <= nodes;
}

/**
 * The run's ConfigMap and TestRun; a shape the builder refuses, or runners that would not fit the
 * runner pool's node, is a usage error before anything starts.
 */
export function clusterRunObjects(plan: RunPlan, prepared: PreparedScenario, config: LabConfig): RunObjects {
  const separate = separateRunners(config, plan.parallelism);
  // browser VUs: the runner image that carries Chromium, and room for it
  const resources = prepared.usesBrowser ? BROWSER_RUNNER_RESOURCES : DEFAULT_RUNNER_RESOURCES;
  const fit = runnersFit(config, { count: plan.parallelism, requests: resources.requests, separate });
  if (fit.length > 0) throw new UsageError(`--parallelism: ${fit.join('; ')}`);
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
      extraEnv: Object.entries(plan.userEnv).map(([name, value]) => ({ name, value })),
      keepSystemTags: prepared.keepSystemTags,
      separate,
      scriptText: readFileSync(prepared.bundlePath, 'utf8'),
      ...(prepared.usesBrowser ? { image: K6_BROWSER_RUNNER_IMAGE, resources } : {}),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The dry run: the ConfigMap and TestRun as YAML, nothing applied. */
export function clusterDryRun(plan: RunPlan, prepared: PreparedScenario, config: LabConfig = loadLabConfig()): string {
  const objects = clusterRunObjects({ ...plan, userEnv: maskSecrets(plan.userEnv) }, prepared, config);
  return renderYaml([objects.configMap, objects.testRun]);
}

/** The real launcher (client-node), loaded only for cluster runs: local runs do not pay for it. */
async function realLauncher(config: LabConfig): Promise<ClusterLauncher> {
  const { launchTestRun, kubeConfigOf } = await import('../cluster/launcher.ts');
  return async (objects, opts) => launchTestRun(objects, { ...opts, kubeConfig: kubeConfigOf(config.cluster) });
}

export function clusterTarget(ctx: RunContext, deps: ClusterDeps = {}): RunTarget {
  const { plan, prepared, io } = ctx;
  const config = deps.config ?? loadLabConfig();
  const objects = clusterRunObjects(plan, prepared, config);
  const prometheusUrl = plan.prometheusUrl!;
  const prometheus = new PrometheusClient(prometheusUrl);
  const targetSelector = plan.baseUrl === undefined ? clusterTargetSelector(config) : undefined;
  let stage: TestRunStage | 'unknown' | undefined;
  let startedAt: number | undefined;

  return {
    async reachLab(): Promise<ReachedLab> {
      if (!(await prometheus.isReady())) {
        throw new LabUnavailable(`Prometheus at ${prometheusUrl} is not ready; reach the lab's with ${prometheusPortForward(config)}`);
      }
      return {
        prometheusUrl,
        baseUrl: plan.baseUrl ?? clusterTargetUrl(config),
        ...(targetSelector ? { targetSelector, targetResources: targetResourcesFor('cluster', config) } : {}),
        // the launcher reads the runners' exits some seconds after the fact (it polls): their
        // last push has long landed
        lastPushMs: 0,
        pushIntervalS: PUSH_INTERVAL_S,
      };
    },

    async checkLab(phase) {
      return readClusterLabChecks(prometheus, config, targetSelector, phase);
    },

    async runRunners(_lab, stop): Promise<RunnersEnded> {
      let report: TestRunReport;
      try {
        const launch = deps.launcher ?? (await realLauncher(config));
        io.log(`run ${plan.runId}: applying ConfigMap + TestRun ${objects.testRun.metadata.name} in ${objects.testRun.metadata.namespace}`);
        report = await launch(objects, {
          signal: stop, log: io.log,
          onStage: (s) => {
            stage = s;
            if (startedAt === undefined && RUNNING.has(s)) startedAt = Date.now();
          },
        });
      } catch (error) {
        return { runners: [], summaries: [], problem: `cluster: ${(error as Error).message}` };
      }
      io.log(`run ${plan.runId}: TestRun ended in stage ${report.stage}`);
      const ranOut = report.ended === 'error' || report.ended === 'timeout';
      return {
        runners: report.runners.map((r) => ({ instance: r.instance, exitCode: r.exitCode, ...(r.detail ? { detail: r.detail } : {}) })),
        summaries: [],
        ...(ranOut && report.reason ? { problem: `cluster: ${report.reason}` } : {}),
      };
    },

    // faults through the Kubernetes API (lab/faults/clusterFaults.ts), client-node loaded on first use
    faultDriver: () => lazyFaultDriver(async () => {
      const [{ clusterFaultDriver }, { kubeConfigOf }] = await Promise.all([import('../faults/clusterFaults.ts'), import('../cluster/launcher.ts')]);
      return clusterFaultDriver({
        kubeConfig: kubeConfigOf(config.cluster), config, prometheus, testRunName: objects.testRun.metadata.name,
        loadNamespace: objects.testRun.metadata.namespace, parallelism: plan.parallelism,
        checks: () => readClusterLabChecks(prometheus, config, targetSelector, 'end'),
      });
    }),
    runnersStartedAt: () => startedAt,

    waiting() {
      if (stage === undefined) return 'applying the TestRun';
      return RUNNING.has(stage) ? undefined : `stage ${stage}`;
    },

    async release() {
      // the cluster lab stays up until `npm run lab:down`; the launcher already removed an aborted run
    },
  };
}
