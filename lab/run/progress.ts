// The progress of a running test, from Prometheus instant queries over what the runners
// remote-write (all runners together): VUs, requests/s, p95 and error rate over the last 10 s.
// On a TTY one line rewritten in place; elsewhere a plain line every so often.

import type { PrometheusClient } from '../analysis/prometheusClient.ts';

export interface ProgressSample {
  elapsedMs: number;
  /** planned total; undefined when unknown. */
  totalMs: number | undefined;
  vus: number | undefined;
  requestsPerSecond: number | undefined;
  p95Ms: number | undefined;
  errorRate: number | undefined;
}

const RATE_WINDOW = '10s';

export function progressQueries(selector: string) {
  return {
    vus: `sum(k6_vus{${selector}})`,
    rps: `sum(rate(k6_http_reqs_total{${selector}}[${RATE_WINDOW}]))`,
    p95: `1000 * histogram_quantile(0.95, sum(rate(k6_http_req_duration_seconds{${selector}}[${RATE_WINDOW}])))`,
    errors: `sum(rate(k6_http_reqs_total{${selector},expected_response="false"}[${RATE_WINDOW}]) or vector(0)) / sum(rate(k6_http_reqs_total{${selector}}[${RATE_WINDOW}]))`,
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
  return [
    `${formatClock(s.elapsedMs)} elapsed, ${remaining} left`,
    `VUs ${s.vus === undefined ? dash : Math.round(s.vus)}`,
    `${s.requestsPerSecond === undefined ? dash : s.requestsPerSecond.toFixed(1)} req/s`,
    `p95 ${s.p95Ms === undefined ? dash : `${s.p95Ms.toFixed(1)} ms`}`,
    `errors ${s.errorRate === undefined ? dash : `${(s.errorRate * 100).toFixed(2)}%`}`,
  ].join(' | ');
}

export async function sampleProgress(client: PrometheusClient, selector: string, startMs: number, totalMs: number | undefined): Promise<ProgressSample> {
  const q = progressQueries(selector);
  const safe = (expr: string) => client.value(expr).catch(() => undefined);
  const [vus, rps, p95, errors] = await Promise.all([safe(q.vus), safe(q.rps), safe(q.p95), safe(q.errors)]);
  return { elapsedMs: Date.now() - startMs, totalMs, vus, requestsPerSecond: rps, p95Ms: p95, errorRate: errors };
}

export interface ProgressReporter {
  stop(): void;
}

/**
 * Samples every `intervalMs` and prints: on a TTY rewrites one line, otherwise prints a line every
 * `plainEveryMs` (default 10 s) so CI logs stay readable.
 */
export function startProgress(opts: {
  client: PrometheusClient;
  selector: string;
  startMs: number;
  totalMs: number | undefined;
  tty: boolean;
  write: (text: string) => void;
  intervalMs?: number;
  plainEveryMs?: number;
}): ProgressReporter {
  const interval = opts.intervalMs ?? (opts.tty ? 2000 : 5000);
  const plainEvery = opts.plainEveryMs ?? 10_000;
  let lastPlain = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const sample = await sampleProgress(opts.client, opts.selector, opts.startMs, opts.totalMs);
    if (stopped) return;
    const line = formatProgress(sample);
    if (opts.tty) opts.write(`\r\x1b[2K${line}`);
    else if (sample.elapsedMs - lastPlain >= plainEvery) {
      lastPlain = sample.elapsedMs;
      opts.write(`progress: ${line}\n`);
    }
    timer = setTimeout(() => void tick(), interval);
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
