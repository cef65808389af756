// How one fault went, from what was recorded: the lab-check polls of the schedule (schedule.ts)
// and series read from Prometheus (measure.ts). Pure, tested on recorded data.
//
//   impact      the first of: a lab check failing that was green before the injection, an HTTP
//               error, an SLA broken over a sliding window — after the injection
//   recovery    from the injection until the lab checks are green again (and the part hit is
//               back) and the SLAs hold over a whole window (holdWindowMs) that starts there;
//               a fault not recovered within the limit (--max-recovery) is not recovered
//   error burst the HTTP errors between the injection and the recovery (or the watch's end), and
//               the first and last second that had one
//   gaps        where k6's remote-write pushes did not land (k6 does not retry a failed push): a
//               window with an end inside a gap is not computed — never a number over a gap as if whole

import type { FaultRecord } from './schedule.ts';

export interface Gap {
  fromMs: number;
  toMs: number;
}

/** A cumulative series on a fixed step (a counter summed over runners): value at each time, null where absent. */
export interface Point {
  timeMs: number;
  value: number | null;
}

/** An SLA over a sliding window: each point's value covers (timeMs - window, timeMs]. */
export interface SlaWindowSeries {
  id: string;
  op: '<' | '>';
  threshold: number;
  points: Array<{ timeMs: number; value: number | null; samples: number | null }>;
}

export interface RecoveryInput {
  record: FaultRecord;
  /** the lab checks this kind is expected to fail (kinds.ts). */
  expectedChecks: readonly string[];
  runStartMs: number;
  runEndMs: number;
  holdWindowMs: number;
  maxRecoveryMs: number;
  /** an SLA window with fewer samples does not count (default 20). */
  minSamples?: number;
  slaSeries: readonly SlaWindowSeries[];
  /** cumulative HTTP errors and requests over all runners. */
  errors: readonly Point[];
  requests: readonly Point[];
  gaps: readonly Gap[];
  /** the windows of the run's other faults (injection to the end of their watch): an SLA window over one of them is not this fault's. */
  others?: readonly Gap[];
}

export interface RecoveryJudgement {
  recovered: boolean;
  /** the start of the first window over which the SLAs held, once the lab checks were green (epoch ms). */
  recoveredAtMs: number | null;
  checksGreenAtMs: number | null;
  /** held: the SLAs held over a window; not-measured: no window with enough traffic (the run ended); not-held: none held. */
  slaWindow: 'held' | 'not-measured' | 'not-held';
  impactAtMs: number | null;
  /** what showed the impact first. */
  impact: string | null;
  errors: number | null;
  errorWindow: Gap | null;
  /** expected checks seen failing, and checks that failed without being expected of this kind. */
  failedChecks: string[];
  unexpectedChecks: string[];
  /** the fault window: from the injection to the recovery (or the end of the watch). */
  window: Gap;
  /** why it did not recover, or what is worth knowing (the run ended before a window, gaps). */
  notes: string[];
}

const MIN_SAMPLES = 20;

/** Where consecutive raw samples of a runner's series are further apart than 2.5 pushes: lost pushes (merged, sorted). */
export function pushGaps(sampleTimes: ReadonlyArray<readonly number[]>, pushIntervalMs: number): Gap[] {
  const gaps: Gap[] = [];
  for (const times of sampleTimes) {
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]! - sorted[i - 1]! > 2.5 * pushIntervalMs) gaps.push({ fromMs: sorted[i - 1]!, toMs: sorted[i]! });
    }
  }
  gaps.sort((a, b) => a.fromMs - b.fromMs);
  const merged: Gap[] = [];
  for (const g of gaps) {
    const last = merged.at(-1);
    if (last && g.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, g.toMs);
    else merged.push({ ...g });
  }
  return merged;
}

/** Does (fromMs, toMs] touch a gap's inside? A window that only borders a gap is whole. */
export function overlapsGap(fromMs: number, toMs: number, gaps: readonly Gap[]): boolean {
  return gaps.some((g) => fromMs < g.toMs && toMs > g.fromMs);
}

/** Is `t` strictly inside a gap (a value read there is the last before the gap, not its own)? */
function insideGap(t: number, gaps: readonly Gap[]): boolean {
  return gaps.some((g) => t > g.fromMs && t < g.toMs);
}

/** The cumulative value at `t`: the last point at or before it. */
export function valueAt(points: readonly Point[], t: number): number | null {
  let found: number | null = null;
  for (const p of points) {
    if (p.timeMs > t) break;
    if (p.value !== null) found = p.value;
  }
  return found;
}

/** How much a cumulative series grew over (fromMs, toMs]; null when either end has no value or lies in a gap. */
export function growth(points: readonly Point[], fromMs: number, toMs: number, gaps: readonly Gap[] = []): number | null {
  if (insideGap(fromMs, gaps) || insideGap(toMs, gaps)) return null;
  const a = valueAt(points, fromMs);
  const b = valueAt(points, toMs);
  if (b === null) return null;
  return Math.max(0, b - (a ?? 0));
}

/** Requests per second over (fromMs, toMs], or null. */
export function throughput(requests: readonly Point[], fromMs: number, toMs: number, gaps: readonly Gap[] = []): number | null {
  const n = growth(requests, fromMs, toMs, gaps);
  return n === null || toMs <= fromMs ? null : n / ((toMs - fromMs) / 1000);
}

const breached = (s: SlaWindowSeries, value: number) => (s.op === '<' ? value >= s.threshold : value <= s.threshold);

/** The SLAs over the window ending at `t`: held, broken (naming the first), or not measurable. */
function slasAt(series: readonly SlaWindowSeries[], t: number, minSamples: number): { measurable: boolean; broken?: string } {
  let measurable = false;
  for (const s of series) {
    const p = s.points.find((x) => x.timeMs === t);
    if (!p || p.value === null || (p.samples ?? 0) < minSamples) continue;
    measurable = true;
    if (breached(s, p.value)) return { measurable, broken: `${s.id} ${Math.round(p.value * 10) / 10} (target ${s.op} ${s.threshold})` };
  }
  return { measurable };
}

export function judgeRecovery(input: RecoveryInput): RecoveryJudgement {
  const { record, holdWindowMs: W, gaps } = input;
  const minSamples = input.minSamples ?? MIN_SAMPLES;
  const inj = record.injectedAtMs!;
  const watchEnd = record.watchEndMs ?? inj;
  const notes: string[] = [];
  const times = [...new Set(input.slaSeries.flatMap((s) => s.points.map((p) => p.timeMs)))].sort((a, b) => a - b);
  const others = input.others ?? [];
  const windowWhole = (t: number) => !overlapsGap(t - W, t, gaps) && !overlapsGap(t - W, t, others);

  // the lab checks: which failed, expected or not
  const failed = new Set(record.polls.flatMap((p) => p.failing.map((c) => c.id)).filter((id) => !record.baselineFailing.includes(id)));
  const failedChecks = [...failed].filter((id) => input.expectedChecks.includes(id));
  const unexpectedChecks = [...failed].filter((id) => !input.expectedChecks.includes(id));

  // impact: the first sign after the injection
  const signs: Array<{ at: number; what: string }> = [];
  const checkPoll = record.polls.find((p) => p.failing.some((c) => !record.baselineFailing.includes(c.id)));
  if (checkPoll) signs.push({ at: checkPoll.timeMs, what: `lab check ${checkPoll.failing.find((c) => !record.baselineFailing.includes(c.id))!.id} failed` });
  const errorSteps = steps(input.errors).filter((s) => s.timeMs > inj && s.timeMs <= watchEnd + W && s.delta > 0);
  if (errorSteps[0]) signs.push({ at: errorSteps[0].timeMs, what: 'HTTP errors' });
  const breach = times.filter((t) => t > inj && windowWhole(t)).map((t) => ({ t, ...slasAt(input.slaSeries, t, minSamples) })).find((x) => x.broken);
  if (breach) signs.push({ at: breach.t, what: `${breach.broken!.split(' ')[0]} broken over a ${W / 1000} s window` });
  const first = signs.sort((a, b) => a.at - b.at)[0];

  // recovery: lab checks green (and the part back), then a whole window in which the SLAs hold
  const checksGreenAtMs = record.checksGreenAtMs ?? null;
  let recoveredAtMs: number | null = null;
  let slaWindow: RecoveryJudgement['slaWindow'] = 'not-measured';
  if (checksGreenAtMs === null) {
    const last = record.polls.at(-1);
    const still = last ? [...last.failing.map((c) => c.id), ...(last.healed ? [] : [last.healing])] : [];
    notes.push(`the lab checks were not green again within ${fmtS(input.maxRecoveryMs)} of the injection` +
      `${still.length ? ` (at the end: ${still.join('; ')})` : ''}`);
  } else {
    const deadline = inj + input.maxRecoveryMs;
    // windows in order from the lab checks' green; one over lost pushes is skipped, and one over
    // another fault's window ends the search: what follows is not this fault's recovery any more
    const inRun = times.filter((t) => t >= checksGreenAtMs + W && t <= input.runEndMs);
    let blockedByOthers = false;
    let lastBreak: string | undefined;
    let measurable = false;
    for (const t of inRun) {
      if (overlapsGap(t - W, t, others)) {
        blockedByOthers = true;
        break;
      }
      if (overlapsGap(t - W, t, gaps)) continue;
      const at = slasAt(input.slaSeries, t, minSamples);
      if (!at.measurable) continue;
      measurable = true;
      if (at.broken) {
        lastBreak = `${at.broken} over the window ending +${fmtS(t - inj)}`;
        continue;
      }
      if (t - W - inj <= input.maxRecoveryMs) recoveredAtMs = t - W;
      break;
    }
    if (recoveredAtMs !== null) slaWindow = 'held';
    else if (measurable && !blockedByOthers) {
      slaWindow = 'not-held';
      notes.push(`the lab checks were green again after ${fmtS(checksGreenAtMs - inj)}, but the SLAs did not hold over any ${fmtS(W)} window ` +
        `starting by ${fmtS(Math.min(deadline, input.runEndMs) - inj)} after the injection${lastBreak ? ` (last: ${lastBreak})` : ''}`);
    } else {
      recoveredAtMs = checksGreenAtMs;
      notes.push(blockedByOthers
        ? `another fault of the run came before a whole ${fmtS(W)} window in which the SLAs held after the lab checks were green again` +
          `${lastBreak ? ` (before it: ${lastBreak})` : ''}: recovery is timed by the lab checks`
        : checksGreenAtMs + W > input.runEndMs
        ? `the runners ended ${fmtS(Math.max(0, input.runEndMs - checksGreenAtMs))} after the lab checks were green again: no whole ${fmtS(W)} window showed the SLAs holding; recovery is timed by the lab checks`
        : `no ${fmtS(W)} window after the lab checks were green again had ${minSamples} requests for an SLA: recovery is timed by the lab checks`);
    }
  }
  const recovered = recoveredAtMs !== null;
  // a fault that never recovered lasts, as far as the run can tell, until the run's end
  const windowEnd = recoveredAtMs ?? Math.max(watchEnd, input.runEndMs);

  // the error burst within the fault window
  const errors = input.requests.length === 0 && input.errors.length === 0 ? null : (growth(input.errors, inj, windowEnd) ?? 0);
  const burst = steps(input.errors).filter((s) => s.timeMs > inj && s.timeMs <= windowEnd && s.delta > 0);
  const errorWindow = burst.length ? { fromMs: burst[0]!.fromMs, toMs: burst.at(-1)!.timeMs } : null;
  const overGaps = gaps.filter((g) => g.toMs > inj - W && g.fromMs < windowEnd + W);
  if (overGaps.length) {
    notes.push(`k6's pushes did not land for ${overGaps.map((g) => `${fmtS(g.toMs - g.fromMs)} from ${g.fromMs >= inj ? '+' : '-'}${fmtS(Math.abs(g.fromMs - inj))}`).join(', ')} ` +
      '(k6 does not retry a failed remote-write push): cumulative counts stay whole; a window with an end in the gap is not computed');
  }
  return {
    recovered, recoveredAtMs, checksGreenAtMs, slaWindow,
    impactAtMs: first?.at ?? null, impact: first?.what ?? null,
    errors, errorWindow, failedChecks, unexpectedChecks,
    window: { fromMs: inj, toMs: windowEnd },
    notes,
  };
}

/** The before / during / after windows of a fault (null when there is none, e.g. no after without a recovery). */
export function statWindows(input: {
  injectedAtMs: number; recoveredAtMs: number | null; windowEndMs: number; runStartMs: number; runEndMs: number;
  holdWindowMs: number; pushIntervalMs: number;
}): { before: Gap | null; during: Gap | null; after: Gap | null } {
  const minMs = 2 * input.pushIntervalMs;
  const span = (from: number, to: number): Gap | null => (to - from >= minMs ? { fromMs: from, toMs: to } : null);
  const inj = input.injectedAtMs;
  const duringEnd = Math.min(input.runEndMs, Math.max(input.windowEndMs, inj + 3 * input.pushIntervalMs));
  return {
    before: span(Math.max(input.runStartMs, inj - input.holdWindowMs), inj),
    during: span(inj, duringEnd),
    after: input.recoveredAtMs === null ? null : span(input.recoveredAtMs, Math.min(input.runEndMs, input.recoveredAtMs + input.holdWindowMs)),
  };
}

/** The run without the fault windows: the segments between them (at least `minMs` long). */
export function outsideSegments(windows: readonly Gap[], runStartMs: number, runEndMs: number, minMs: number): Gap[] {
  const sorted = [...windows].sort((a, b) => a.fromMs - b.fromMs);
  const segments: Gap[] = [];
  let from = runStartMs;
  for (const w of sorted) {
    if (w.fromMs > from) segments.push({ fromMs: from, toMs: Math.min(w.fromMs, runEndMs) });
    from = Math.max(from, w.toMs);
  }
  if (runEndMs > from) segments.push({ fromMs: from, toMs: runEndMs });
  return segments.filter((s) => s.toMs - s.fromMs >= minMs);
}

/** Per-step growth of a cumulative series (negative steps, a series leaving the sum, count as 0). */
function steps(points: readonly Point[]): Array<{ fromMs: number; timeMs: number; delta: number }> {
  const out: Array<{ fromMs: number; timeMs: number; delta: number }> = [];
  let prev: Point | undefined;
  for (const p of points) {
    if (p.value === null) continue;
    if (prev) out.push({ fromMs: prev.timeMs, timeMs: p.timeMs, delta: Math.max(0, p.value - prev.value!) });
    prev = p;
  }
  return out;
}

export function fmtS(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}
