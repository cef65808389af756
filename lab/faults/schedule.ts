// The faults of one run, on schedule: each is injected at its offset from the runners' start, a
// stall is lifted after its DURATION, and from just before the injection the lab checks are polled
// (every second) until the lab has recovered — every check green again, the part hit back (its
// process restarted, its pod recreated), and so for a hold window — or the recovery limit has
// passed. What it records (FaultRecord) is all the measurement (measure.ts) and the verdict need
// from the run itself; the rest comes from Prometheus afterwards.
//
// Works the same on every target: a FaultDriver (driver.ts) does the target's part. A stall is
// always lifted, whatever happens (Ctrl-C, an error): a lab is never left with a stopped process.

import type { LabCheck } from '../analysis/verdict.ts';
import { sleep } from '../process/waitUntil.ts';
import type { FaultDriver, Injection } from './driver.ts';
import { FAULT_KIND_INFO, faultLabel, type FaultSpec } from './kinds.ts';

/** One poll of the lab checks during a fault. */
export interface FaultPoll {
  timeMs: number;
  /** the checks that failed, with what they said (those another fault explains aside). */
  failing: Array<{ id: string; detail: string }>;
  /** failing checks another fault still active then is expected to break (`<check> (<fault>)`). */
  excused: string[];
  /** whether the part hit is back (driver.healing), and what the target says about it. */
  healed: boolean;
  healing: string;
}

export interface FaultRecord {
  spec: FaultSpec;
  injected: boolean;
  /** why it was not injected (the runners ended first, Ctrl-C, the injection failed). */
  notInjected?: string;
  /** the injection failed: a lab problem, not a recovery one. */
  injectionError?: string;
  injection?: Injection;
  injectedAtMs?: number;
  /** when a stall was lifted. */
  liftedAtMs?: number;
  /** the checks failing just before the injection (not the fault's doing). */
  baselineFailing: string[];
  polls: FaultPoll[];
  /** the first poll from which every check was green and the part back, until the watch ended. */
  checksGreenAtMs?: number;
  /** when the watch ended (recovered and held, the limit, Ctrl-C). */
  watchEndMs?: number;
}

export interface FaultScheduleOptions {
  faults: readonly FaultSpec[];
  driver: FaultDriver;
  /**
   * When the runners started (epoch ms), once they have: offsets count from there. A local run's
   * runners are resumed together; a cluster's TestRun reaches stage started after its
   * initialization (minutes, maybe): no fault is injected before.
   */
  startedAt: () => number | undefined;
  /** the recovery limit (--max-recovery). */
  maxRecoveryMs: number;
  /** how long every check must stay green before the watch ends (RECOVERY_RULES.holdWindowMs). */
  holdWindowMs: number;
  log: (line: string) => void;
  /** Ctrl-C: no more injections, the watches end, stalls are lifted. */
  signal: AbortSignal;
  /** how often the lab checks are read (default 1 s). */
  pollIntervalMs?: number;
}

export interface FaultSchedule {
  /**
   * The runners have ended at `runEndMs`: faults not injected yet never will be; watches still
   * running go on until their fault has recovered or its limit has passed. Resolves with every
   * fault's record, in the order given.
   */
  finish(runEndMs: number): Promise<FaultRecord[]>;
  /** the records so far (for a progress line). */
  records: readonly FaultRecord[];
  /** resolves once every fault has been injected and watched to its end (the runners still running). */
  done: Promise<FaultRecord[]>;
}

const failingOf = (checks: readonly LabCheck[]) => checks.filter((c) => !c.ok).map((c) => ({ id: c.id, detail: c.detail }));

export function startFaultSchedule(options: FaultScheduleOptions): FaultSchedule {
  const { driver, log } = options;
  const pollMs = options.pollIntervalMs ?? 1000;
  const ended = new AbortController();
  const stop = AbortSignal.any([options.signal, ended.signal]);
  const records: FaultRecord[] = options.faults.map((spec) => ({ spec, injected: false, baselineFailing: [], polls: [] }));
  let runEnded = false;

  const poll = async (record: FaultRecord): Promise<FaultPoll> => {
    const [checks, healing] = await Promise.all([
      driver.checks().catch((error: Error): LabCheck[] => [{ id: 'lab_checks', title: 'lab checks', phase: 'end', ok: false, detail: `could not read the lab checks: ${error.message}` }]),
      driver.healing(record.spec, record.injection!).catch((error: Error) => ({ healed: false, detail: `could not tell: ${error.message}` })),
    ]);
    const timeMs = Date.now();
    // another fault injected and not yet recovered explains the checks it is expected to break:
    // faults close together are each timed on what is theirs
    const active = records.filter((r) => r !== record && r.injected && r.watchEndMs === undefined && r.checksGreenAtMs === undefined);
    const failing: FaultPoll['failing'] = [];
    const excused: string[] = [];
    for (const check of failingOf(checks)) {
      const other = active.find((r) => FAULT_KIND_INFO[r.spec.kind].expectedChecks.includes(check.id));
      if (other) excused.push(`${check.id} (${faultLabel(other.spec)})`);
      else failing.push(check);
    }
    return { timeMs, failing, excused, healed: healing.healed, healing: healing.detail };
  };

  const run = async (record: FaultRecord): Promise<void> => {
    const { spec } = record;
    const label = faultLabel(spec);
    while (options.startedAt() === undefined && !stop.aborted) await sleep(100, stop);
    const startMs = options.startedAt();
    if (startMs !== undefined) await sleep(Math.max(0, startMs + spec.atMs - Date.now()), stop);
    if (options.signal.aborted || runEnded || startMs === undefined) {
      record.notInjected = options.signal.aborted ? 'the run was interrupted first' : startMs === undefined ? 'the runners never started' : 'the runners ended before its offset';
      return;
    }
    const before = await driver.checks().catch(() => []);
    record.baselineFailing = failingOf(before).map((c) => c.id);
    try {
      record.injection = await driver.inject(spec);
    } catch (error) {
      record.injectionError = (error as Error).message;
      record.notInjected = `the injection failed: ${record.injectionError}`;
      log(`fault ${label}: could not inject it: ${record.injectionError}`);
      return;
    }
    record.injected = true;
    const injectedAt = (record.injectedAtMs = Date.now());
    log(`fault ${label}: injected at +${Math.round((injectedAt - startMs) / 1000)} s: ${record.injection.target} (${record.injection.detail})`);
    const lifting = spec.durationMs === undefined
      ? Promise.resolve()
      : (async () => {
        // a stall is lifted after its duration even when the run is interrupted meanwhile
        await sleep(Math.max(0, injectedAt + spec.durationMs! - Date.now()), options.signal);
        await driver.lift(spec, record.injection!).catch((error: Error) => log(`fault ${label}: could not lift it: ${error.message}`));
        record.liftedAtMs = Date.now();
        log(`fault ${label}: lifted after ${Math.round((record.liftedAtMs - injectedAt) / 1000)} s`);
      })();
    try {
      const deadline = injectedAt + options.maxRecoveryMs;
      let lastWaitLog = injectedAt;
      for (;;) {
        const p = await poll(record);
        record.polls.push(p);
        const lifted = spec.durationMs === undefined || record.liftedAtMs !== undefined;
        const green = lifted && p.healed && p.failing.length === 0;
        if (!green) record.checksGreenAtMs = undefined;
        else if (record.checksGreenAtMs === undefined) {
          record.checksGreenAtMs = p.timeMs;
          log(`fault ${label}: lab checks green again ${Math.round((p.timeMs - injectedAt) / 100) / 10} s after the injection (${p.healing})`);
        }
        if (record.checksGreenAtMs !== undefined && p.timeMs >= record.checksGreenAtMs + options.holdWindowMs) break;
        if (p.timeMs >= deadline || options.signal.aborted) break;
        if (runEnded && p.timeMs - lastWaitLog >= 10_000) {
          lastWaitLog = p.timeMs;
          log(`fault ${label}: waiting for the lab to recover, ${Math.round((p.timeMs - injectedAt) / 1000)} s since the injection ` +
            `(limit ${Math.round(options.maxRecoveryMs / 1000)} s): ${p.failing.map((c) => c.id).join(', ') || p.healing}`);
        }
        await sleep(pollMs, options.signal);
      }
    } finally {
      if (spec.durationMs !== undefined && record.liftedAtMs === undefined && options.signal.aborted) {
        // Ctrl-C: lift it now rather than at its time (a watch that reached its limit waits for it)
        await driver.lift(spec, record.injection!).catch(() => {});
        record.liftedAtMs = Date.now();
      }
      await lifting;
      record.watchEndMs = Date.now();
    }
  };

  const all = Promise.all(records.map((r) => run(r).catch((error: Error) => {
    r.notInjected ??= `unexpected: ${error.message}`;
    r.watchEndMs ??= Date.now();
  })));
  return {
    records,
    done: all.then(() => records),
    async finish(_runEndMs: number) {
      runEnded = true;
      ended.abort(); // wakes the faults still waiting for their offset
      const watching = records.filter((r) => r.injected && r.watchEndMs === undefined);
      if (watching.length > 0) log(`faults: the runners ended; waiting for ${watching.map((r) => faultLabel(r.spec)).join(', ')} to recover`);
      await all;
      return records;
    },
  };
}
