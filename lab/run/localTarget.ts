// The local target: the lab as processes on this machine (lab/local; with --base-url everything
// but the target service, since Prometheus still judges the run), N k6 processes as runners
// (lab/local/k6Runners.ts, the operator's execution segments), and the lab stopped afterwards
// unless --keep. Its lab checks are the local lab's readiness report, at the start and the end.
// With --base-url the runners reach that service from this machine, so it is checked from here
// first (baseUrlCheck.ts): a service that does not answer fails the run before the lab starts.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalLab, type LocalLab } from '../local/localLab.ts';
import { runK6Runners, type RunnerResult } from '../local/k6Runners.ts';
import { ensureK6 } from '../k6/binary.ts';
import { browserEnv, localRunnerArgs, maskSecrets, scenarioEnv } from '../k6/runnerContract.ts';
import { targetResourcesFor } from '../sla/targetResources.ts';
import { readRunnerSummary, type K6SummaryExport } from '../analysis/slaMeasurements.ts';
import type { RunnerOutcome, Verdict } from '../analysis/verdict.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { labChecksFromReadiness } from './localLabChecks.ts';
import { BASE_URL_CHECK_TIMEOUT_MS, baseUrlProblem } from './baseUrlCheck.ts';
import type { RunPlan } from './plan.ts';
import type { PreparedScenario } from './prepare.ts';
import { LabUnavailable, type ReachedLab, type RunContext, type RunnersEnded, type RunTarget } from './runTarget.ts';
import { localFaultDriver } from '../faults/localFaults.ts';
import { faultLabel } from '../faults/kinds.ts';

/** Where a local run keeps its processes' state (data dirs, configs, logs, pid file). */
export function localStateDir(runId: string): string {
  return join(PROJECT_ROOT, '.lab', 'runs', runId);
}

/** After the runners exit, their last remote-write push (1 s interval) needs a moment to land. */
const LAST_PUSH_MS = 1500;
/** The local runners push every second: a short run still gets many points. */
const PUSH_INTERVAL_S = 1;

export function localTarget(ctx: RunContext): RunTarget {
  const { plan, prepared, resultsDir, io } = ctx;
  const stateDir = localStateDir(plan.runId);
  let lab: LocalLab | undefined;
  let resumedAt: number | undefined;

  return {
    async reachLab(): Promise<ReachedLab> {
      if (plan.baseUrl !== undefined && plan.baseUrlCheck) {
        const problem = await baseUrlProblem(plan.baseUrl);
        if (problem !== undefined) {
          throw new LabUnavailable(`--base-url ${plan.baseUrl} does not answer: ${problem} (one GET from this machine, ` +
            `${BASE_URL_CHECK_TIMEOUT_MS / 1000} s; any HTTP status would do); the lab was not started. If the service refuses plain GETs, ` +
            'run with --no-base-url-check');
        }
      }
      io.log(`run ${plan.runId}: starting the local lab (state in ${stateDir})`);
      lab = await startLocalLab({
        runId: plan.runId,
        stateDir,
        log: io.log,
        withTarget: plan.baseUrl === undefined,
        signal: io.signal,
        ...(plan.targetLatencyMs !== undefined ? { targetEnv: { TARGET_INJECT_LATENCY_MS: String(plan.targetLatencyMs) } } : {}),
      });
      lab.writeLabJson(resultsDir, { kept: plan.keep });
      return {
        prometheusUrl: lab.endpoints.prometheusUrl,
        baseUrl: plan.baseUrl ?? lab.endpoints.targetBaseUrl!,
        // the lab's own target process: one core and a pod's memory (lab/sla/targetResources.ts)
        ...(plan.baseUrl === undefined ? { targetResources: targetResourcesFor('local', ctx.labConfig) } : {}),
        lastPushMs: LAST_PUSH_MS,
        pushIntervalS: PUSH_INTERVAL_S,
      };
    },

    async checkLab(phase) {
      if (!lab) return [];
      // the start's readiness was proven by startLocalLab a moment ago; the end's is read now
      return labChecksFromReadiness(phase === 'start' ? lab.readiness : await lab.checkReadiness(), phase);
    },

    async runRunners(reached, stop): Promise<RunnersEnded> {
      let results: RunnerResult[] = [];
      try {
        results = await runK6Runners({
          k6Binary: ensureK6(io.log),
          bundlePath: prepared.bundlePath,
          parallelism: plan.parallelism,
          testid: plan.runId,
          prometheusRwUrl: lab!.endpoints.prometheusRemoteWriteUrl,
          pushInterval: `${PUSH_INTERVAL_S}s`,
          keepSystemTags: prepared.keepSystemTags,
          env: { ...scenarioEnv(plan.shape, reached.baseUrl, plan.userEnv), ...browserEnv(reached.baseUrl) },
          resultsDir,
          signal: stop,
          supervisor: lab!.supervisor,
          log: io.log,
          onResumed: (at) => (resumedAt = at),
        });
      } catch (error) {
        return { runners: [], summaries: [], problem: `k6 runners: ${(error as Error).message}` };
      }
      return {
        runners: results.map(runnerOutcome),
        summaries: results
          .map((r) => (r.summaryPath ? readRunnerSummary(r.summaryPath) : undefined))
          .filter((s): s is K6SummaryExport => s !== undefined),
      };
    },

    // faults: signals to the lab's own processes, which its supervisor restarts (lab/faults/localFaults.ts)
    faultDriver: () => localFaultDriver({
      lab: lab!, parallelism: plan.parallelism,
      checks: async () => labChecksFromReadiness(await lab!.checkReadiness(), 'end'),
    }),
    runnersStartedAt: () => resumedAt,

    async release(verdict: Verdict) {
      if (!lab) return;
      if (plan.keep && !io.signal.aborted) {
        const kept = lab.keep(resultsDir);
        io.log(`run ${plan.runId}: the lab is kept running — endpoints in ${kept.labJson}; ` +
          `Prometheus ${lab.endpoints.prometheusUrl}${lab.endpoints.targetBaseUrl ? `, target ${lab.endpoints.targetBaseUrl}` : ''}; ` +
          'stop it with: npm run lab:down -- --target local');
        return;
      }
      io.log(`run ${plan.runId}: stopping the local lab`);
      await lab.stop();
      // a failed run keeps its state folder (logs, configs) for a look; a passed one leaves nothing
      if (verdict.kind === 'pass' && existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function runnerOutcome(r: RunnerResult): RunnerOutcome {
  return { instance: r.instance, exitCode: r.exitCode, ...(r.exitSignal ? { detail: `ended by ${r.exitSignal}` } : {}) };
}

/** A local dry run: what would start, and each runner's exact k6 command line. */
export function localDryRun(plan: RunPlan, prepared: PreparedScenario): string {
  const stateDir = localStateDir(plan.runId);
  const { shape } = plan;
  const lines = [
    `run id:       ${plan.runId}`,
    `target:       local (processes on loopback, state in ${stateDir})`,
    `scenario:     ${plan.scenario.name} (${plan.scenario.file})`,
    `bundle:       ${prepared.bundlePath} (${prepared.bytes} bytes)`,
    `profile:      ${shape.profile}; VUs ${shape.vus ?? `profile's (${prepared.maxVUs} max)`}; duration ${shape.duration ?? 'profile\'s'}; k6 total ${prepared.totalDuration ?? '?'}`,
    `runners:      ${plan.parallelism} (execution segments of ${plan.parallelism}), testid ${plan.runId}`,
    `service:      ${plan.baseUrl ?? 'the lab\'s target service'}${plan.targetLatencyMs !== undefined ? ` (slowed by ${plan.targetLatencyMs} ms)` : ''}`,
    `lab:          Postgres primary + 2 streaming replicas, 6-node Redis cluster (3+3), postgres and redis exporters,`,
    `              Prometheus (remote-write receiver, native histograms, SLA rules), Alertmanager${plan.baseUrl ? '' : ', the target service (migrated, seeded)'}`,
    `results:      ${join(plan.resultsRoot, plan.runId)}/ (summary.json, report.md, report.html, junit.xml, lab.json, runner-<i>-summary.json)`,
    `afterwards:   ${plan.keep ? 'the lab is kept running (stop: npm run lab:down -- --target local)' : 'the lab is stopped'}`,
    ...(prepared.faults.length ? [`faults:       ${prepared.faults.map(faultLabel).join(', ')} (from the runners' start; recovery within ${plan.maxRecoveryMs / 1000} s)`] : []),
    `scenario env: ${Object.entries(maskSecrets(plan.scenarioEnv)).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    '',
    ...Array.from({ length: plan.parallelism }, (_, i) => `k6 ${localRunnerArgs({
      instance: i + 1, parallelism: plan.parallelism, apiAddress: '127.0.0.1:<free port>', testid: plan.runId, keepSystemTags: prepared.keepSystemTags,
      summaryPath: join(plan.resultsRoot, plan.runId, `runner-${i + 1}-summary.json`), bundlePath: prepared.bundlePath,
    }).join(' ')}`),
    '',
  ];
  return lines.join('\n');
}
