// Reads from Prometheus what each fault's judgement needs (recovery.ts), and the SLAs outside the
// fault windows: the I/O at the edge of lab/faults. Every series is this run's (its testid), the
// runners summed. Queries are on a step of the runners' push interval.

import { judgeSla, type SlaResult } from '../analysis/slaJudgement.ts';
import type { PrometheusClient, RangeSeries } from '../analysis/prometheusClient.ts';
import { ENDPOINT_TAG, STREAMING_ENDPOINT_GROUPS, type Sla } from '../sla/catalogue.ts';
import { measureSeries, slaQuery, targetHealthSamples, targetMemorySamples } from '../sla/promql.ts';
import { runRange } from '../analysis/slaMeasurements.ts';
import { FAULT_KIND_INFO } from './kinds.ts';
import type { FaultOutcome } from './outcome.ts';
import {
  judgeRecovery, outsideSegments, pushGaps, statWindows, throughput, type Gap, type Point, type SlaWindowSeries,
} from './recovery.ts';
import type { FaultRecord } from './schedule.ts';

export interface MeasureFaultsOptions {
  /** this run's k6 series, e.g. `testid="soak-..."`. */
  selector: string;
  runStartMs: number;
  runEndMs: number;
  /** the SLAs the run is judged on. */
  slas: readonly Sla[];
  holdWindowMs: number;
  maxRecoveryMs: number;
  /** the runners' push interval, s. */
  pushIntervalS: number;
  /** the target service's own metrics (default job="target"). */
  targetSelector?: string;
}

export interface FaultMeasurement {
  outcomes: FaultOutcome[];
  /** the SLAs outside the fault windows ([] when no fault was injected). */
  slasOutside: SlaResult[];
}

const NOT_STREAMING = `${ENDPOINT_TAG}!~"${STREAMING_ENDPOINT_GROUPS.join('|')}"`;
const REQS = (selector: string, extra = '') => `k6_http_reqs_total{${selector},${NOT_STREAMING}${extra}}`;
const DURATION = (selector: string) => `k6_http_req_duration_seconds{${selector},${NOT_STREAMING}}`;

/** The SLAs that can be judged over a window of their own: percentiles of k6 trends and the HTTP error rate. */
export function windowableSlas(slas: readonly Sla[]): Sla[] {
  return slas.filter((s) => s.measure.kind === 'k6' && (s.measure.stat !== 'rate' || s.measure.metric === 'http_req_failed'));
}

const iso = (ms: number) => new Date(ms).toISOString();
const secondsAt = (ms: number) => (ms / 1000).toFixed(3);
const round1 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10) / 10);

function points(series: RangeSeries[]): Point[] {
  return (series[0]?.points ?? []).map((p) => ({ timeMs: p.timeMs, value: p.value }));
}

export async function measureFaults(client: PrometheusClient, records: readonly FaultRecord[], opts: MeasureFaultsOptions): Promise<FaultMeasurement> {
  const pushMs = opts.pushIntervalS * 1000;
  const stepS = opts.pushIntervalS;
  const W = Math.max(opts.holdWindowMs, 3 * pushMs);
  const windowText = `${Math.round(W / 1000)}s`;
  const injected = records.filter((r) => r.injected && r.injectedAtMs !== undefined);

  // lost pushes: gaps in every runner's own series
  let gaps: Gap[] = [];
  if (injected.length > 0) {
    const vus = await client.queryMatrix(`k6_vus{${opts.selector}}[${runRange(opts.runStartMs, opts.runEndMs)}]`, opts.runEndMs);
    gaps = pushGaps(vus.map((s) => s.points.map((p) => p.timeMs)), pushMs);
  }

  const windowable = windowableSlas(opts.slas);
  const outcomes: FaultOutcome[] = [];
  for (const record of records) {
    if (!record.injected || record.injectedAtMs === undefined) {
      outcomes.push(notInjected(record, opts.maxRecoveryMs));
      continue;
    }
    const inj = record.injectedAtMs;
    const from = Math.max(opts.runStartMs, inj - W - pushMs);
    const to = Math.max(from + pushMs, Math.min(opts.runEndMs, inj + opts.maxRecoveryMs + W));
    const range = (expr: string) => client.queryRange(expr, from, to, stepS);
    const [errors, requests, slaSeries] = await Promise.all([
      range(`sum(last_over_time(${REQS(opts.selector, ',expected_response="false"')}[10m])) or vector(0)`).then(points),
      range(`sum(last_over_time(${REQS(opts.selector)}[10m]))`).then(points),
      Promise.all(windowable.map((sla) => slaWindowSeries(client, sla, opts.selector, windowText, W, from, to, stepS))),
    ]);
    const j = judgeRecovery({
      record, expectedChecks: FAULT_KIND_INFO[record.spec.kind].expectedChecks,
      runStartMs: opts.runStartMs, runEndMs: opts.runEndMs, holdWindowMs: W, maxRecoveryMs: opts.maxRecoveryMs,
      slaSeries, errors, requests, gaps,
      others: records.filter((r) => r !== record && r.injected && r.injectedAtMs !== undefined)
        .map((r) => ({ fromMs: r.injectedAtMs!, toMs: r.watchEndMs ?? opts.runEndMs })),
    });
    const windows = statWindows({
      injectedAtMs: inj, recoveredAtMs: j.recoveredAtMs, windowEndMs: j.window.toMs,
      runStartMs: opts.runStartMs, runEndMs: opts.runEndMs, holdWindowMs: W, pushIntervalMs: pushMs,
    });
    const p95 = async (w: Gap | null) => (w === null || insideGapEnd(w, gaps) ? null : p95Over(client, opts.selector, w));
    const rps = (w: Gap | null) => (w === null ? null : round1(throughput(requests, w.fromMs, w.toMs, gaps)));
    const [p95Before, p95During, p95After] = await Promise.all([p95(windows.before), p95(windows.during), p95(windows.after)]);
    const notes = [...j.notes];
    if (windows.after === null && j.recovered) notes.push('no after window: the runners ended at the recovery');
    const last = record.polls.at(-1);
    outcomes.push({
      kind: record.spec.kind, at: record.spec.at, duration: record.spec.duration ?? null, source: record.spec.source,
      target: record.injection?.target ?? null, how: record.injection?.detail ?? null,
      injected: true, notInjected: null,
      injectedAt: iso(inj),
      liftedAfterMs: record.liftedAtMs === undefined ? null : record.liftedAtMs - inj,
      impactAfterMs: j.impactAtMs === null ? null : Math.max(0, j.impactAtMs - inj),
      impact: j.impact,
      checksGreenAfterMs: j.checksGreenAtMs === null ? null : j.checksGreenAtMs - inj,
      recoveredAfterMs: j.recoveredAtMs === null ? null : Math.max(0, j.recoveredAtMs - inj),
      recovered: j.recovered,
      maxRecoveryMs: opts.maxRecoveryMs,
      slaWindow: j.slaWindow,
      errors: j.errors === null ? null : Math.round(j.errors),
      errorWindow: j.errorWindow ? { fromMs: Math.max(0, j.errorWindow.fromMs - inj), toMs: j.errorWindow.toMs - inj } : null,
      p95BeforeMs: p95Before, p95DuringMs: p95During, p95AfterMs: p95After,
      throughputBefore: rps(windows.before), throughputDuring: rps(windows.during), throughputAfter: rps(windows.after),
      failedChecks: j.failedChecks, unexpectedChecks: j.unexpectedChecks,
      healing: last?.healing ?? null,
      runner: record.injection?.runner ?? null,
      window: { from: iso(j.window.fromMs), to: iso(j.window.toMs) },
      gaps: gaps.filter((g) => g.toMs > j.window.fromMs - W && g.fromMs < j.window.toMs + W).map((g) => ({ from: iso(g.fromMs), to: iso(g.toMs) })),
      notes,
    });
  }

  const faultWindows = outcomes.filter((o) => o.window).map((o) => ({ fromMs: Date.parse(o.window!.from), toMs: Date.parse(o.window!.to) }));
  const slasOutside = faultWindows.length === 0 ? [] : await measureOutside(client, opts, faultWindows, gaps, pushMs);
  return { outcomes, slasOutside };
}

/** A window whose start or end lies inside a gap reads a value from before the gap: not whole. */
function insideGapEnd(w: Gap, gaps: readonly Gap[]): boolean {
  return gaps.some((g) => (w.fromMs > g.fromMs && w.fromMs < g.toMs) || (w.toMs > g.fromMs && w.toMs < g.toMs));
}

/** p95 of every request (streams aside) over the window, ms; null without samples. */
async function p95Over(client: PrometheusClient, selector: string, w: Gap): Promise<number | null> {
  const inc = `sum(increase(${DURATION(selector)}[${Math.round(w.toMs - w.fromMs)}ms]))`;
  const [value, count] = await Promise.all([
    client.value(`1000 * histogram_quantile(0.95, ${inc})`, w.toMs),
    client.value(`histogram_count(${inc})`, w.toMs),
  ]);
  return count !== undefined && count > 0 ? round1(value) : null;
}

/** One SLA over a sliding window (value and samples at each step). */
async function slaWindowSeries(
  client: PrometheusClient, sla: Sla, selector: string, windowText: string, windowMs: number, from: number, to: number, stepS: number,
): Promise<SlaWindowSeries> {
  const measure = sla.measure;
  if (measure.kind !== 'k6') throw new Error(`${sla.id} is not windowable`);
  const value = slaQuery(sla, { selector, mode: 'window', window: windowText });
  const samples = measure.stat === 'rate'
    ? `sum(increase(${REQS(selector)}[${windowText}]))`
    : `histogram_count(sum(rate(${measureSeries(measure, { selector })}[${windowText}]))) * ${windowMs / 1000}`;
  const [v, n] = await Promise.all([client.queryRange(value, from, to, stepS), client.queryRange(samples, from, to, stepS)]);
  const counts = new Map((n[0]?.points ?? []).map((p) => [p.timeMs, p.value]));
  return {
    id: sla.id, op: sla.op, threshold: sla.threshold,
    points: (v[0]?.points ?? []).map((p) => ({ timeMs: p.timeMs, value: p.value, samples: counts.get(p.timeMs) ?? null })),
  };
}

/**
 * The SLAs over the run without its fault windows: the histograms (and request counters) of the
 * segments between the windows, added up; the target's availability averaged over the segments by
 * their length, its memory peak the highest of theirs. The rates k6 exports only as a cumulative
 * ratio (checks, cache hits, ...) and shares of the target's limits cannot be cut at the windows:
 * not measured here, judged over the whole run only.
 */
async function measureOutside(
  client: PrometheusClient, opts: MeasureFaultsOptions, windows: readonly Gap[], gaps: readonly Gap[], pushMs: number,
): Promise<SlaResult[]> {
  const segments = outsideSegments(windows, opts.runStartMs, opts.runEndMs, 2 * pushMs).filter((s) => !insideGapEnd(s, gaps));
  const windowable = new Set(windowableSlas(opts.slas).map((s) => s.id));
  const over = (series: string, s: Gap) => `increase(${series}[${Math.round(s.toMs - s.fromMs)}ms] @ ${secondsAt(s.toMs)})`;
  const results: SlaResult[] = [];
  for (const sla of opts.slas) {
    const measure = sla.measure;
    if (measure.kind === 'target' && (measure.quantity === 'availability' || measure.quantity === 'memory_mb_peak') && segments.length > 0) {
      results.push(judgeSla(sla, await targetOutside(client, sla, measure.quantity, segments, opts.targetSelector)));
      continue;
    }
    if (!windowable.has(sla.id) || measure.kind !== 'k6' || segments.length === 0) {
      results.push(judgeSla(sla, {}));
      continue;
    }
    if (measure.stat === 'rate') {
      let errors = 0;
      let total = 0;
      for (const s of segments) {
        errors += (await client.value(`sum(${over(REQS(opts.selector, ',expected_response="false"'), s)}) or vector(0)`)) ?? 0;
        total += (await client.value(`sum(${over(REQS(opts.selector), s)})`)) ?? 0;
      }
      results.push(judgeSla(sla, { value: total > 0 ? errors / total : undefined, samples: Math.round(total) }));
      continue;
    }
    const series = measureSeries(measure, { selector: opts.selector });
    const parts: string[] = [];
    for (const s of segments) {
      const part = `sum(${over(series, s)})`;
      const count = await client.value(`histogram_count(${part})`);
      if (count !== undefined && count > 0) parts.push(part);
    }
    if (parts.length === 0) {
      results.push(judgeSla(sla, { samples: 0 }));
      continue;
    }
    const sum = parts.join(' + ');
    const [value, samples] = await Promise.all([
      client.value(`1000 * histogram_quantile(${measure.stat.percentile / 100}, ${sum})`),
      client.value(`histogram_count(${sum})`),
    ]);
    results.push(judgeSla(sla, { ...(value !== undefined ? { value } : {}), samples: Math.round(samples ?? 0) }));
  }
  return results;
}

/** The target's availability (by segment length) or memory peak over the segments. */
async function targetOutside(
  client: PrometheusClient, sla: Sla, quantity: 'availability' | 'memory_mb_peak', segments: readonly Gap[], targetSelector: string | undefined,
): Promise<{ value?: number; samples: number }> {
  let weighted = 0;
  let length = 0;
  let peak: number | undefined;
  let samples = 0;
  for (const s of segments) {
    const q = { selector: '', mode: 'window' as const, window: `${Math.round(s.toMs - s.fromMs)}ms`, ...(targetSelector ? { targetSelector } : {}) };
    const n = (await client.value(quantity === 'availability' ? targetHealthSamples(q) : targetMemorySamples(q), s.toMs)) ?? 0;
    const value = await client.value(slaQuery(sla, q), s.toMs);
    if (value === undefined || n <= 0) continue;
    samples += n;
    weighted += value * (s.toMs - s.fromMs);
    length += s.toMs - s.fromMs;
    peak = Math.max(peak ?? value, value);
  }
  const value = quantity === 'availability' ? (length > 0 ? weighted / length : undefined) : peak;
  return { ...(value !== undefined ? { value } : {}), samples: Math.round(samples) };
}

function notInjected(record: FaultRecord, maxRecoveryMs: number): FaultOutcome {
  return {
    kind: record.spec.kind, at: record.spec.at, duration: record.spec.duration ?? null, source: record.spec.source,
    target: null, how: null, injected: false, notInjected: record.notInjected ?? 'not injected', injectedAt: null, liftedAfterMs: null,
    impactAfterMs: null, impact: null, checksGreenAfterMs: null, recoveredAfterMs: null, recovered: false, maxRecoveryMs, slaWindow: null,
    errors: null, errorWindow: null, p95BeforeMs: null, p95DuringMs: null, p95AfterMs: null,
    throughputBefore: null, throughputDuring: null, throughputAfter: null, failedChecks: [], unexpectedChecks: [],
    healing: null, runner: null, window: null, gaps: [], notes: [],
  };
}

