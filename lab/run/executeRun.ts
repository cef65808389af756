// The run skeleton, the same on every target: reach the lab → check it → run the runners (with
// a progress line) → analyse from Prometheus → check the lab again → verdict and results →
// release the lab. One phase per step, each in the module named for it (the target for the lab
// and the runners, progress.ts, lab/analysis, finish.ts); faults, baselines and user thresholds
// plug in here, once, for both targets.
//
// Nothing here throws past the results: whatever goes wrong becomes a lab error in the verdict,
// and results/<run-id>/ is written in every case. Ctrl-C (the io signal) stops the runners, and
// the partial results are still analysed and written.

import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { analyseRun, selectorOf, unmeasuredAnalysis, type RunAnalysis } from '../analysis/analyseRun.ts';
import type { LabCheck, ThresholdAbort } from '../analysis/verdict.ts';
import { sleep } from '../process/waitUntil.ts';
import { judgedSlas } from '../sla/catalogue.ts';
import { finishRun, type FinishedRun } from './finish.ts';
import { startProgress } from './progress.ts';
import { watchAbortThresholds } from './thresholdWatch.ts';
import { guardCardinality, type CardinalityGuard } from './cardinalityGuard.ts';
import { CARDINALITY_LEVELS } from '../analysis/cardinality.ts';
import type { ReachedLab, RunContext, RunnersEnded, RunTarget } from './runTarget.ts';
import { decideRun, type RunDecisions } from '../decisions/decideRun.ts';
import { startRunFaults, type RunFaultResults } from '../faults/runFaults.ts';

export async function executeRun(ctx: RunContext, target: RunTarget): Promise<FinishedRun> {
  const { plan, prepared, io } = ctx;
  const startedAt = new Date();
  const slas = judgedSlas(prepared.slaIds);
  const labChecks: LabCheck[] = [];
  const labErrors: string[] = [];
  let lab: ReachedLab | undefined;
  let ended: RunnersEnded = { runners: [], summaries: [] };
  let analysis: RunAnalysis | undefined;
  let abortedBy: ThresholdAbort | undefined;
  let decisions: RunDecisions | undefined;
  let faultResults: RunFaultResults | undefined;
  let guard: CardinalityGuard | undefined;
  let overLimit = false;
  const levels = ctx.cardinality ?? CARDINALITY_LEVELS;
  let runStartMs = Date.now();
  let runEndMs = runStartMs;

  try {
    try {
      lab = await target.reachLab();
    } catch (error) {
      if (!io.signal.aborted) labErrors.push((error as Error).message);
    }
    if (lab && !io.signal.aborted) {
      labChecks.push(...(await target.checkLab('start')));
      const { shape } = plan;
      io.log(`run ${plan.runId}: ${plan.parallelism} k6 runner(s) of ${plan.scenario.name} (profile ${shape.profile}` +
        `${shape.vus !== undefined ? `, ${shape.vus} VUs` : ''}${shape.duration !== undefined ? `, ${shape.duration}` : ''}) against ${lab.baseUrl}`);
      const client = new PrometheusClient(lab.prometheusUrl);
      const selector = selectorOf(plan.runId);
      runStartMs = Date.now();
      // Ctrl-C, a threshold with abortOnFail failing across all runners, or too many series stops every runner
      const stopRunners = new AbortController();
      const runGuard = guardCardinality({
        client, selector, levels,
        onOver: (count) => {
          overLimit = true;
          io.log(`run ${plan.runId}: ${count.series} Prometheus series, over the limit of ${levels.maxSeries}; stopping every runner`);
          stopRunners.abort();
        },
      });
      guard = runGuard;
      const progress = startProgress({
        client, selector, startMs: runStartMs, totalMs: prepared.totalDurationMs, tty: io.tty, write: io.write,
        pushIntervalS: lab.pushIntervalS, notice: () => runGuard.notice(),
        ...(target.waiting ? { waiting: () => target.waiting!() } : {}),
      });
      const watch = watchAbortThresholds({
        client, thresholds: prepared.thresholds, metrics: prepared.metrics, selector, startMs: runStartMs,
        onAbort: (abort) => {
          abortedBy = abort;
          io.log(`run ${plan.runId}: threshold ${abort.metric}: ${abort.expression} (abortOnFail) failed across all runners; stopping every runner`);
          stopRunners.abort();
        },
      });
      // faults on schedule, each watched until the lab has recovered (lab/faults), the same on every target
      const reached = lab;
      const faults = startRunFaults({
        faults: prepared.faults, maxRecoveryMs: plan.maxRecoveryMs, driver: target.faultDriver?.(reached), log: io.log, signal: io.signal,
        runnersStartedAt: () => (target.runnersStartedAt ? target.runnersStartedAt() : runStartMs),
      });
      try {
        ended = await target.runRunners(lab, AbortSignal.any([io.signal, stopRunners.signal]));
      } finally {
        watch.stop();
        progress.stop();
        await runGuard.stop();
      }
      if (ended.problem && !io.signal.aborted) labErrors.push(ended.problem);
      runEndMs = Date.now();
      await sleep(lab.lastPushMs);
      faultResults = await faults?.finish({ client, runStartMs, runEndMs, selector, slas, pushIntervalS: lab.pushIntervalS, targetSelector: lab.targetSelector });
      if (faultResults?.problem) labErrors.push(faultResults.problem);
      io.log(`run ${plan.runId}: analysing ${ended.runners.length} runner(s) from Prometheus`);
      analysis = await analyseRun(client, {
        testid: plan.runId, slas, runStartMs, runEndMs, runnerSummaries: ended.summaries,
        thresholds: { list: prepared.userThresholds, metrics: prepared.metrics },
        withSoakChecks: plan.soakChecks && !io.signal.aborted && abortedBy === undefined && !overLimit,
        ...(faultResults?.killedRunners.length ? { excludeInstances: faultResults.killedRunners } : {}),
        ...(lab.targetSelector ? { targetSelector: lab.targetSelector } : {}),
        ...(lab.targetResources ? { targetResources: lab.targetResources } : {}),
      });
      // baselines, capacity, recommendations: one call, the same on every target (lab/decisions)
      if (ctx.decisions && !io.signal.aborted) {
        decisions = await decideRun({
          client, runId: plan.runId, selector, runStartMs, runEndMs, pushIntervalS: lab.pushIntervalS,
          scrapeIntervalS: ctx.decisions.scrapeIntervalS, slas, analysis, request: ctx.decisions,
          ...(lab.targetSelector ? { targetSelector: lab.targetSelector } : {}),
        });
      }
      io.log(`run ${plan.runId}: checking the lab again`);
      labChecks.push(...(await target.checkLab('end')));
    }
  } catch (error) {
    labErrors.push(`unexpected: ${(error as Error).stack ?? (error as Error).message}`);
  }

  const finished = finishRun({
    plan, scenarioSlas: prepared.slaIds, resultsDir: ctx.resultsDir, startedAt, runners: ended.runners,
    analysis: analysis ?? unmeasuredAnalysis(slas), labChecks, labErrors, interrupted: io.signal.aborted, abortedBy,
    cardinality: {
      ...levels,
      series: analysis?.series ?? guard?.latest()?.series ?? null,
      label: guard?.latest()?.label ?? null,
      stopped: overLimit,
      urlTag: prepared.urlTag,
      groupedNames: analysis?.groupedNames ?? [],
    },
    prometheusUrl: lab?.prometheusUrl ?? null, runStartMs, runEndMs, decisions, faults: faultResults,
  });
  try {
    await target.release(finished.summary.verdict);
  } catch (error) {
    io.log(`run ${plan.runId}: could not release the lab: ${(error as Error).message}`);
  }
  return finished;
}
