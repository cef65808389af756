// A run on the local target: start the lab (with --base-url, everything but the target service:
// Prometheus is still what judges the run), run N k6 runners with a progress line, then analyse,
// judge, write results/<run-id>/, and stop the lab (unless --keep). Nothing here throws past the
// results: whatever goes wrong becomes a lab error in the verdict. Ctrl-C (the io signal) stops
// the runners, still writes partial results, and stops the lab.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalLab, type LocalLab } from '../local/localLab.ts';
import { runK6Runners, type RunnerResult } from '../local/k6Runners.ts';
import { ensureK6 } from '../k6/binary.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { analyseRun, selectorOf, unmeasuredAnalysis, type RunAnalysis } from '../analysis/analyseRun.ts';
import { readRunnerSummary, type K6SummaryExport } from '../analysis/slaMeasurements.ts';
import type { LabCheck } from '../analysis/verdict.ts';
import { judgedSlas } from '../sla/catalogue.ts';
import { labChecksFromReadiness } from './labChecks.ts';
import { startProgress } from './progress.ts';
import { finishRun, type RunOutcome } from './finish.ts';
import type { RunPlan } from './plan.ts';
import type { PreparedScenario } from './prepare.ts';
import type { RunIo } from './io.ts';
import { PROJECT_ROOT } from '../paths.ts';

/** Where a local run keeps its processes' state (data dirs, configs, logs, pid file). */
export function localStateDir(runId: string): string {
  return join(PROJECT_ROOT, '.lab', 'runs', runId);
}

/** After the runners exit, their last remote-write push (1 s interval) needs a moment to land. */
const LAST_PUSH_MS = 1500;

export async function runLocal(plan: RunPlan, prepared: PreparedScenario, resultsDir: string, io: RunIo): Promise<RunOutcome> {
  const startedAt = new Date();
  const stateDir = localStateDir(plan.runId);
  const labChecks: LabCheck[] = [];
  const labErrors: string[] = [];
  let lab: LocalLab | undefined;
  let runners: RunnerResult[] = [];
  let analysis: RunAnalysis | undefined;
  let runStartMs = Date.now();
  let runEndMs = runStartMs;

  const slas = judgedSlas(prepared.slaIds);

  try {
    await runOnLab();
  } catch (error) {
    labErrors.push(`unexpected: ${(error as Error).stack ?? (error as Error).message}`);
  }

  const outcome = finishRun({
    plan, scenarioSlas: prepared.slaIds, resultsDir, startedAt, runners: runners.map((r) => ({ instance: r.instance, exitCode: r.exitCode })),
    analysis: analysis ?? unmeasuredAnalysis(slas), labChecks, labErrors, interrupted: io.signal.aborted,
    prometheusUrl: lab?.endpoints.prometheusUrl ?? null, runStartMs, runEndMs,
  });
  if (lab) {
    if (plan.keep && !io.signal.aborted) {
      const kept = lab.keep(resultsDir);
      io.log(`run ${plan.runId}: the lab is kept running — endpoints in ${kept.labJson}; ` +
        `Prometheus ${lab.endpoints.prometheusUrl}${lab.endpoints.targetBaseUrl ? `, target ${lab.endpoints.targetBaseUrl}` : ''}; ` +
        'stop it with: npm run lab:down -- --target local');
    } else {
      io.log(`run ${plan.runId}: stopping the local lab`);
      await lab.stop();
      if (outcome.verdict.kind === 'pass' && existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return outcome.result;

  async function runOnLab(): Promise<void> {
    io.log(`run ${plan.runId}: starting the local lab (state in ${stateDir})`);
    try {
      lab = await startLocalLab({
        runId: plan.runId,
        stateDir,
        log: io.log,
        withTarget: plan.baseUrl === undefined,
        signal: io.signal,
        ...(plan.targetLatencyMs !== undefined ? { targetEnv: { TARGET_INJECT_LATENCY_MS: String(plan.targetLatencyMs) } } : {}),
      });
    } catch (error) {
      if (!io.signal.aborted) labErrors.push((error as Error).message);
    }
    if (lab && !io.signal.aborted) {
      labChecks.push(...labChecksFromReadiness(lab.readiness, 'start'));
      lab.writeLabJson(resultsDir, { kept: plan.keep });
      const client = new PrometheusClient(lab.endpoints.prometheusUrl);
      const baseUrl = plan.baseUrl ?? lab.endpoints.targetBaseUrl;
      io.log(`run ${plan.runId}: ${plan.parallelism} k6 runner(s) of ${plan.scenario.name} (profile ${plan.shape.profile}` +
        `${plan.shape.vus !== undefined ? `, ${plan.shape.vus} VUs` : ''}${plan.shape.duration !== undefined ? `, ${plan.shape.duration}` : ''}) against ${baseUrl}`);
      runStartMs = Date.now();
      const progress = startProgress({
        client, selector: selectorOf(plan.runId), startMs: runStartMs, totalMs: prepared.totalDurationMs,
        tty: io.tty, write: io.write,
      });
      try {
        runners = await runK6Runners({
          k6Binary: ensureK6(io.log),
          bundlePath: prepared.bundlePath,
          parallelism: plan.parallelism,
          testid: plan.runId,
          prometheusRwUrl: lab.endpoints.prometheusRemoteWriteUrl,
          env: { ...plan.scenarioEnv, ...(baseUrl ? { BASE_URL: baseUrl } : {}) },
          resultsDir,
          signal: io.signal,
          supervisor: lab.supervisor,
          log: io.log,
        });
      } catch (error) {
        labErrors.push(`k6 runners: ${(error as Error).message}`);
      } finally {
        progress.stop();
      }
      runEndMs = Date.now();
      await new Promise((r) => setTimeout(r, LAST_PUSH_MS));
      const summaries = runners
        .map((r) => (r.summaryPath ? readRunnerSummary(r.summaryPath) : undefined))
        .filter((s): s is K6SummaryExport => s !== undefined);
      io.log(`run ${plan.runId}: analysing ${runners.length} runner(s) from Prometheus`);
      analysis = await analyseRun(client, {
        testid: plan.runId, slas, runStartMs, runEndMs, runnerSummaries: summaries,
        withSoakChecks: plan.soakChecks && !io.signal.aborted,
      });
      io.log(`run ${plan.runId}: checking the lab again`);
      labChecks.push(...labChecksFromReadiness(await lab.checkReadiness(), 'end'));
    }
  }
}
