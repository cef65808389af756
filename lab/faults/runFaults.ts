// The faults of a run, as the run skeleton (lab/run/executeRun.ts) drives them, on every target:
// start the schedule with the runners, and once they have ended wait for every fault's recovery
// (or its limit), then measure each from Prometheus. One start, one finish.

import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import type { SlaResult } from '../analysis/slaJudgement.ts';
import { RECOVERY_RULES, type Sla } from '../sla/catalogue.ts';
import type { FaultDriver } from './driver.ts';
import { FAULT_KIND_INFO, type FaultSpec } from './kinds.ts';
import { measureFaults } from './measure.ts';
import type { FaultOutcome } from './outcome.ts';
import { judgeRecovery } from './recovery.ts';
import { startFaultSchedule, type FaultRecord } from './schedule.ts';

export interface RunFaultResults {
  outcomes: FaultOutcome[];
  slasOutside: SlaResult[];
  /** runner instances a fault killed: the analysis judges what the others measured. */
  killedRunners: number[];
  /** Prometheus could not be read for the faults (their recovery is then timed by the lab checks alone). */
  problem?: string;
}

export interface RunFaults {
  finish(input: {
    client: PrometheusClient; runStartMs: number; runEndMs: number; selector: string; slas: readonly Sla[]; pushIntervalS: number; targetSelector?: string | undefined;
  }): Promise<RunFaultResults>;
}

export interface StartRunFaultsInput {
  faults: readonly FaultSpec[];
  maxRecoveryMs: number;
  /** the target's fault driver (undefined: the target injects none; a planned fault is then reported as not injected). */
  driver: FaultDriver | undefined;
  /** when the runners started (the target knows; undefined until they have). */
  runnersStartedAt: () => number | undefined;
  log: (line: string) => void;
  signal: AbortSignal;
}

/** Starts the run's fault schedule; undefined when the run has no faults. */
export function startRunFaults(input: StartRunFaultsInput): RunFaults | undefined {
  if (input.faults.length === 0) return undefined;
  const holdWindowMs = RECOVERY_RULES.holdWindowMs;
  const schedule = input.driver
    ? startFaultSchedule({
      faults: input.faults, driver: input.driver, startedAt: input.runnersStartedAt,
      maxRecoveryMs: input.maxRecoveryMs, holdWindowMs, log: input.log, signal: input.signal,
    })
    : undefined;
  return {
    async finish({ client, runStartMs, runEndMs, selector, slas, pushIntervalS, targetSelector }) {
      const records: FaultRecord[] = schedule
        ? await schedule.finish(runEndMs)
        : input.faults.map((spec) => ({ spec, injected: false, notInjected: 'the target has no fault driver', baselineFailing: [], polls: [] }));
      const killedRunners = records.filter((r) => r.injected && r.injection?.runner !== undefined).map((r) => r.injection!.runner!);
      try {
        const measured = await measureFaults(client, records, {
          selector, runStartMs, runEndMs, slas, holdWindowMs, maxRecoveryMs: input.maxRecoveryMs, pushIntervalS,
          ...(targetSelector ? { targetSelector } : {}),
        });
        return { ...measured, killedRunners };
      } catch (error) {
        const problem = `the faults could not be measured from Prometheus: ${(error as Error).message}`;
        return { outcomes: records.map((r) => checksOnly(r, input.maxRecoveryMs, holdWindowMs, runStartMs, runEndMs, problem)), slasOutside: [], killedRunners, problem };
      }
    },
  };
}

/** A fault judged on its lab-check polls alone (Prometheus could not be read). */
function checksOnly(record: FaultRecord, maxRecoveryMs: number, holdWindowMs: number, runStartMs: number, runEndMs: number, problem: string): FaultOutcome {
  const inj = record.injectedAtMs;
  const j = record.injected && inj !== undefined
    ? judgeRecovery({
      record, expectedChecks: FAULT_KIND_INFO[record.spec.kind].expectedChecks, runStartMs, runEndMs, holdWindowMs, maxRecoveryMs,
      slaSeries: [], errors: [], requests: [], gaps: [],
    })
    : undefined;
  return {
    kind: record.spec.kind, at: record.spec.at, duration: record.spec.duration ?? null, source: record.spec.source,
    target: record.injection?.target ?? null, how: record.injection?.detail ?? null,
    injected: record.injected, notInjected: record.injected ? null : record.notInjected ?? 'not injected',
    injectedAt: inj === undefined ? null : new Date(inj).toISOString(),
    liftedAfterMs: inj !== undefined && record.liftedAtMs !== undefined ? record.liftedAtMs - inj : null,
    impactAfterMs: j?.impactAtMs != null && inj !== undefined ? j.impactAtMs - inj : null, impact: j?.impact ?? null,
    checksGreenAfterMs: j?.checksGreenAtMs != null && inj !== undefined ? j.checksGreenAtMs - inj : null,
    recoveredAfterMs: j?.recoveredAtMs != null && inj !== undefined ? j.recoveredAtMs - inj : null,
    recovered: j?.recovered ?? false, maxRecoveryMs, slaWindow: j ? 'not-measured' : null,
    errors: null, errorWindow: null, p95BeforeMs: null, p95DuringMs: null, p95AfterMs: null,
    throughputBefore: null, throughputDuring: null, throughputAfter: null,
    failedChecks: j?.failedChecks ?? [], unexpectedChecks: j?.unexpectedChecks ?? [],
    healing: record.polls.at(-1)?.healing ?? null, runner: record.injection?.runner ?? null,
    window: j ? { from: new Date(j.window.fromMs).toISOString(), to: new Date(j.window.toMs).toISOString() } : null,
    gaps: [], notes: [problem, ...(j?.notes ?? [])],
  };
}
