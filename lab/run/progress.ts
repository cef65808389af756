// The progress of a running test, from Prometheus instant queries over what the runners
// remote-write (all runners together): VUs, requests/s, p95 and error rate over a recent window.
// It says what is true: while the runners are not started yet (a TestRun initializing), what they
// wait for and for how long; before the first sample, "no samples yet"; and where a window holds
// too few points for a rate (a few VUs, a slow push), the run's figures so far instead of dashes.
// On a TTY one line rewritten in place; elsewhere a plain line every so often.

import type { PrometheusClient } from '../analysis/prometheusClient.ts';

export interface ProgressSample {
  elapsedMs: number;
  /** planned total; undefined when unknown. */
  totalMs: number | undefined;
  /** something of this run reached Prometheus. */
  anySample: boolean;
  vus: number | undefined;
  /** over the recent window; undefined when it holds too few points. */
  requestsPerSecond: number | undefined;
  /** requests so far, all runners. */
  requests: number | undefined;
  /** p95 over the recent window, else over the run so far (`p95Window` says which). */
  p95Ms: number | undefined;
  p95Window: 'recent' | 'run';
  errorRate: number | undefined;
}

/** A rate needs two points in its window: four pushes' worth (k6 pushes every 5 s unless told). */
export function rateWindowS(pushIntervalS: number): number {
  return Math.max(10, 4 * pushIntervalS);
}

export function progressQueries(selector: string, windowS = 10) {
  const w = `${windowS}s`;
  return {
    any: `count({__name__=~"k6_.+",${selector}})`,
    vus: `sum(k6_vus{${selector}})`,
    rps: `sum(rate(k6_http_reqs_total{${selector}}[${w}]))`,
    requests: `sum(k6_http_reqs_total{${selector}})`,
    p95: `1000 * histogram_quantile(0.95, sum(rate(k6_http_req_duration_seconds{${selector}}[${w}])))`,
    p95Run: `1000 * histogram_quantile(0.95, sum(k6_http_req_duration_seconds{${selector}}))`,
    errors: `sum(k6_http_reqs_total{${selector},expected_response="false"} or vector(0)) / sum(k6_http_reqs_total{${selector}})`,
  };
}

export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

export function formatProgress(s: ProgressSample): string {
  const dash = '—';
  const remaining = s.totalMs === undefined ? '?' : formatClock(Math.max(0, s.totalMs - s.elapsedMs));
  const clock = `${formatClock(s.elapsedMs)} elapsed, ${remaining} left`;
  if (!s.anySample) return `${clock} | no samples yet`;
  const throughput = s.requestsPerSecond !== undefined ? `${s.requestsPerSecond.toFixed(1)} req/s`
    : s.requests !== undefined ? `${Math.round(s.requests)} requests` : 'no requests';
  return [
    clock,
    `VUs ${s.vus === undefined ? dash : Math.round(s.vus)}`,
    throughput,
    `p95${s.p95Window === 'run' ? ' (run)' : ''} ${s.p95Ms === undefined ? dash : `${s.p95Ms.toFixed(1)} ms`}`,
    `errors ${s.errorRate === undefined ? dash : `${(s.errorRate * 100).toFixed(2)}%`}`,
  ].join(' | ');
}

export async function sampleProgress(
  client: PrometheusClient, selector: string, startMs: number, totalMs: number | undefined, windowS = 10,
): Promise<ProgressSample> {
  const q = progressQueries(selector, windowS);
  const safe = (expr: string) => client.value(expr).catch(() => undefined);
  const [any, vus, rps, requests, p95, p95Run, errors] = await Promise.all([q.any, q.vus, q.rps, q.requests, q.p95, q.p95Run, q.errors].map(safe));
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);
  const recentP95 = finite(p95);
  return {
    elapsedMs: Date.now() - startMs,
    totalMs,
    anySample: (any ?? 0) > 0,
    vus,
    requestsPerSecond: finite(rps),
    requests: finite(requests),
    p95Ms: recentP95 ?? finite(p95Run),
    p95Window: recentP95 === undefined && finite(p95Run) !== undefined ? 'run' : 'recent',
    errorRate: finite(errors),
  };
}

export interface ProgressReporter {
  stop(): void;
}

/**
 * Samples every `intervalMs` and prints: on a TTY rewrites one line, otherwise prints a line every
 * `plainEveryMs` (default 10 s) so CI logs stay readable. While `waiting()` says the runners have
 * not started, that is the line; the clock then starts when they do.
 */
export function startProgress(opts: {
  client: PrometheusClient;
  selector: string;
  startMs: number;
  totalMs: number | undefined;
  tty: boolean;
  write: (text: string) => void;
  /** what the runners still wait for (e.g. "stage initialization"), undefined once they run. */
  waiting?: () => string | undefined;
  /** the runners' remote-write push interval, for the rate window (default 1 s). */
  pushIntervalS?: number;
  /** a warning to add to the line while it holds (the cardinality guard's). */
  notice?: () => string | undefined;
  intervalMs?: number;
  plainEveryMs?: number;
}): ProgressReporter {
  const interval = opts.intervalMs ?? (opts.tty ? 2000 : 5000);
  const plainEvery = opts.plainEveryMs ?? 10_000;
  const windowS = rateWindowS(opts.pushIntervalS ?? 1);
  let lastPlain = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let runningSince: number | undefined;
  const show = (line: string, sinceStartMs: number) => {
    if (opts.tty) opts.write(`\r\x1b[2K${line}`);
    else if (sinceStartMs - lastPlain >= plainEvery) {
      lastPlain = sinceStartMs;
      opts.write(`progress: ${line}\n`);
    }
  };
  const tick = async () => {
    const waitingFor = opts.waiting?.();
    if (waitingFor !== undefined) {
      const waitedMs = Date.now() - opts.startMs;
      show(`waiting for runners: ${waitingFor}, ${Math.round(waitedMs / 1000)} s`, waitedMs);
    } else {
      runningSince ??= opts.waiting ? Date.now() : opts.startMs;
      const sample = await sampleProgress(opts.client, opts.selector, runningSince, opts.totalMs, windowS);
      if (stopped) return;
      const notice = opts.notice?.();
      show(`${formatProgress(sample)}${notice ? ` | ${notice}` : ''}`, Date.now() - opts.startMs);
    }
    if (!stopped) timer = setTimeout(() => void tick(), interval);
  };
  timer = setTimeout(() => void tick(), interval);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (opts.tty) opts.write('\r\x1b[2K');
    },
  };
}
