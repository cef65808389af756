// The analysis and the report of an 8-hour soak at the guidelines' scale (§2.4: 5000 VUs for 8 h),
// goal: under 3 s. What is timed is everything after the runners end: the verdict's analysis
// (lab/analysis/analyseRun: every SLA, the soak checks, the breakdown, the series count), the
// decisions (lab/decisions/decideRun: the timeline's range queries, the run stats, the comparison
// with a baseline, the capacity assessment and plan, the recommendations), the verdict, and
// summary.json, report.md, report.html and junit.xml rendered.
//
// The data: a real Prometheus 3.16 (.bin/prometheus, as the local lab runs it) fed by synthetic
// remote-write (bench/remoteWrite.ts) with what 4 k6 runners push every 5 s (k6's default push
// interval) for 8 hours: native histograms of http_req_duration, http_req_waiting and
// http_req_blocked for every endpoint group of the catalogue (and 503s on one), the scenario's
// custom trends, request/iteration counters, VUs, rate gauges; and what Prometheus scrapes every
// 15 s (the cluster's interval) from 3 target replicas, Postgres and 6 Redis nodes. The series are
// shaped as k6 v2.2.0 writes them (names, labels, schema-3 buckets); the latencies follow a
// log-normal per endpoint that drifts 5 % slower over the run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../lab/process/supervisor.ts';
import { writeFileSync } from 'node:fs';
import { PROMETHEUS_BINARIES } from '../lab/setup/prometheus.ts';
import { freePort, LOOPBACK } from '../lab/local/ports.ts';
import { notYet, waitUntil } from '../lab/process/waitUntil.ts';
import { PrometheusClient } from '../lab/analysis/prometheusClient.ts';
import { analyseRun } from '../lab/analysis/analyseRun.ts';
import { runVerdict } from '../lab/analysis/verdict.ts';
import { decideRun } from '../lab/decisions/decideRun.ts';
import { histogramRange } from '../lab/timeline/histograms.ts';
import { buildSummary, decisionsOfSummary } from '../lab/report/summary.ts';
import { renderReportHtml } from '../lab/report/html.ts';
import { renderReportMarkdown } from '../lab/report/markdown.ts';
import { renderJunit } from '../lab/report/junit.ts';
import { ENDPOINT_GROUPS, judgedSlas } from '../lab/sla/catalogue.ts';
import { profileDefaults } from '../lab/config/profiles.ts';
import { remoteWrite, type FloatHistogramSample, type WriteSeries } from './remoteWrite.ts';

const HOURS = 8;
const RUNNERS = 4;
const VUS = 5000;
const PUSH_S = 5;
const SCRAPE_S = 15;
const CHUNK_S = 300;
const TESTID = 'soak-bench-8h';
/** requests per second per VU (think time ~1 s, as the guidelines' journeys). */
const RPS_PER_VU = 1;
const CUSTOM = ['career_selection_duration', 'content_generation_duration', 'flow_state_latency', 'realtime_update_latency', 'realtime_connect_duration', 'db_query_duration'];
const SOAK_SLAS = ['all_endpoints_p95', 'page_load_p95', 'http_error_rate'];

/** Schema-3 bucket shares of a log-normal with this median (s) and sigma. */
function shares(medianS: number, sigma = 0.45): { offset: number; p: number[] } {
  const lo = Math.floor(8 * Math.log2(medianS * Math.exp(-4 * sigma)));
  const hi = Math.ceil(8 * Math.log2(medianS * Math.exp(4 * sigma)));
  const cdf = (x: number) => 0.5 * (1 + erf((Math.log(x) - Math.log(medianS)) / (sigma * Math.SQRT2)));
  const p: number[] = [];
  for (let i = lo; i <= hi; i++) p.push(cdf(2 ** (i / 8)) - cdf(2 ** ((i - 1) / 8)));
  const total = p.reduce((a, b) => a + b, 0);
  return { offset: lo, p: p.map((x) => x / total) };
}

function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

interface HistSeries {
  labels: Record<string, string>;
  rps: number;
  medianS: number;
}

function histSample(h: HistSeries, tMs: number, elapsedS: number, totalS: number): FloatHistogramSample {
  const drift = 1 + 0.05 * (elapsedS / totalS);
  const { offset, p } = shares(h.medianS * drift);
  const n = h.rps * elapsedS;
  return { timestampMs: tMs, count: n, sum: n * h.medianS * drift * 1.1, schema: 3, zeroCount: 0, offset, counts: p.map((x) => x * n) };
}

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'perflab-bench-decisions-'));
  const supervisor = new Supervisor(stateDir);
  try {
    // Prometheus as the lab runs it, but scraping nothing: its head starts empty, so the first
    // remote-written sample (8 hours ago) sets where it begins (a scrape of itself at "now" would
    // make everything older than an hour out of bounds)
    const port = await freePort();
    const promConfig = join(stateDir, 'prometheus.yml');
    writeFileSync(promConfig, 'global:\n  scrape_interval: 15s\n');
    const proc = supervisor.start('prometheus', PROMETHEUS_BINARIES.prometheus, [
      `--config.file=${promConfig}`, `--storage.tsdb.path=${join(stateDir, 'data')}`, `--web.listen-address=${LOOPBACK}:${port}`,
      '--web.enable-remote-write-receiver', '--log.level=warn',
    ]);
    const prometheus = { url: `http://${LOOPBACK}:${port}`, remoteWriteUrl: `http://${LOOPBACK}:${port}/api/v1/write` };
    const client = new PrometheusClient(prometheus.url, 60_000);
    await waitUntil('prometheus ready', proc, async () => ((await client.isReady()) ? true : notYet('not ready')), { timeoutMs: 30_000 });
    const totalS = HOURS * 3600;
    const endMs = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const startMs = endMs - totalS * 1000;

    // the series, as k6 and the exporters name them
    const perEndpointRps = (VUS * RPS_PER_VU) / RUNNERS / ENDPOINT_GROUPS.length;
    const hist: HistSeries[] = [];
    const counters: Array<{ labels: Record<string, string>; rate: number }> = [];
    const gauges: Array<{ labels: Record<string, string>; value: (f: number) => number }> = [];
    ENDPOINT_GROUPS.forEach((endpoint, e) => {
      const median = 0.004 * 1.5 ** (e % 6);
      for (let r = 1; r <= RUNNERS; r++) {
        const base = { testid: TESTID, instance_id: String(r), endpoint, name: `${endpoint}-request`, method: 'GET', scenario: 'soak', proto: 'HTTP/1.1', group: '' };
        const ok = { ...base, status: '200', expected_response: 'true' };
        const failed = { ...base, status: '503', expected_response: 'false' };
        for (const [metric, factor] of [['k6_http_req_duration_seconds', 1], ['k6_http_req_waiting_seconds', 0.9], ['k6_http_req_blocked_seconds', 0.01]] as const) {
          hist.push({ labels: { __name__: metric, ...ok }, rps: perEndpointRps, medianS: median * factor });
          if (endpoint === 'api') hist.push({ labels: { __name__: metric, ...failed }, rps: perEndpointRps * 0.001, medianS: median * factor * 2 });
        }
        counters.push({ labels: { __name__: 'k6_http_reqs_total', ...ok }, rate: perEndpointRps });
        if (endpoint === 'api') counters.push({ labels: { __name__: 'k6_http_reqs_total', ...failed }, rate: perEndpointRps * 0.001 });
      }
    });
    for (let r = 1; r <= RUNNERS; r++) {
      const run = { testid: TESTID, instance_id: String(r) };
      CUSTOM.forEach((metric, i) => hist.push({ labels: { __name__: `k6_${metric}_seconds`, ...run, scenario: 'soak' }, rps: perEndpointRps, medianS: 0.005 * (i + 1) }));
      gauges.push({ labels: { __name__: 'k6_vus', ...run }, value: () => VUS / RUNNERS }, { labels: { __name__: 'k6_vus_max', ...run }, value: () => VUS / RUNNERS });
      for (const rate of ['checks', 'http_req_failed', 'cache_hits', 'errors']) {
        gauges.push({ labels: { __name__: `k6_${rate}_rate`, ...run, scenario: 'soak' }, value: () => (rate === 'checks' || rate === 'cache_hits' ? 0.995 : 0.0002) });
      }
      counters.push({ labels: { __name__: 'k6_iterations_total', ...run, scenario: 'soak' }, rate: (VUS / RUNNERS) / 8 });
      counters.push({ labels: { __name__: 'k6_dropped_iterations_total', ...run, scenario: 'soak' }, rate: 0 });
    }
    const scraped: Array<{ labels: Record<string, string>; value: (f: number, tS: number) => number }> = [];
    for (let i = 0; i < 3; i++) {
      const t = { job: 'target', instance: `10.0.0.${i + 1}:3000` };
      scraped.push({ labels: { __name__: 'process_cpu_seconds_total', ...t }, value: (_f, tS) => 0.55 * tS });
      scraped.push({ labels: { __name__: 'process_resident_memory_bytes', ...t }, value: (f) => (100 + 6 * f) * 2 ** 20 });
      scraped.push({ labels: { __name__: 'nodejs_eventloop_lag_p99_seconds', ...t }, value: () => 0.012 });
      for (const state of ['total', 'idle', 'waiting']) scraped.push({ labels: { __name__: 'target_db_pool_connections', ...t, pool: 'primary', state }, value: () => (state === 'total' ? 12 : state === 'idle' ? 6 : 0) });
      for (const result of ['hit', 'miss']) scraped.push({ labels: { __name__: 'target_cache_requests_total', ...t, cache: 'content', result }, value: (_f, tS) => (result === 'hit' ? 400 : 60) * tS });
      for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.2', '0.5', '1', '+Inf']) {
        scraped.push({ labels: { __name__: 'target_http_request_duration_seconds_bucket', ...t, route: '/api/v1', method: 'GET', status_code: '200', le }, value: (_f, tS) => 1600 * tS * Math.min(1, Number(le === '+Inf' ? 10 : le) / 0.02) });
      }
    }
    scraped.push({ labels: { __name__: 'pg_stat_activity_count', job: 'postgres', state: 'active' }, value: () => 40 });
    scraped.push({ labels: { __name__: 'pg_settings_max_connections', job: 'postgres' }, value: () => 600 });
    scraped.push({ labels: { __name__: 'pg_stat_replication_pg_wal_lsn_diff', job: 'postgres', application_name: 'replica-1' }, value: () => 4096 });
    for (let i = 0; i < 6; i++) {
      const n = { job: 'redis', instance: `10.0.1.${i}:6379` };
      scraped.push({ labels: { __name__: 'redis_cpu_user_seconds_total', ...n }, value: (_f, tS) => 0.08 * tS });
      scraped.push({ labels: { __name__: 'redis_cpu_sys_seconds_total', ...n }, value: (_f, tS) => 0.04 * tS });
      scraped.push({ labels: { __name__: 'redis_commands_processed_total', ...n }, value: (_f, tS) => 3000 * tS });
      scraped.push({ labels: { __name__: 'redis_cluster_state', ...n }, value: () => 1 });
    }

    // write it in time order, five minutes of every series per request
    const ingestStart = performance.now();
    let samples = 0;
    let histograms = 0;
    for (let c = 0; c < totalS; c += CHUNK_S) {
      const batch: WriteSeries[] = [];
      const pushes: number[] = [];
      for (let s = c + PUSH_S; s <= Math.min(totalS, c + CHUNK_S); s += PUSH_S) pushes.push(s);
      const scrapes: number[] = [];
      for (let s = c + SCRAPE_S; s <= Math.min(totalS, c + CHUNK_S); s += SCRAPE_S) scrapes.push(s);
      for (const h of hist) batch.push({ labels: h.labels, histograms: pushes.map((s) => histSample(h, startMs + s * 1000, s, totalS)) });
      for (const k of counters) batch.push({ labels: k.labels, samples: pushes.map((s) => ({ timestampMs: startMs + s * 1000, value: k.rate * s })) });
      for (const g of gauges) batch.push({ labels: g.labels, samples: pushes.map((s) => ({ timestampMs: startMs + s * 1000, value: g.value(s / totalS) })) });
      for (const m of scraped) batch.push({ labels: m.labels, samples: scrapes.map((s) => ({ timestampMs: startMs + s * 1000, value: m.value(s / totalS, s) })) });
      histograms += hist.length * pushes.length;
      samples += (counters.length + gauges.length) * pushes.length + scraped.length * scrapes.length;
      await remoteWrite(prometheus.remoteWriteUrl, batch);
    }
    const ingestS = (performance.now() - ingestStart) / 1000;
    const series = hist.length + counters.length + gauges.length + scraped.length;
    log(`wrote ${series} series over ${HOURS} h: ${histograms} native-histogram samples and ${samples} float samples in ${ingestS.toFixed(1)} s`);

    const slas = judgedSlas(SOAK_SLAS);
    const config = profileDefaults('cloud');
    const identity = { scenario: 'soak', bundleHash: null, profile: 'full', vus: VUS, duration: '8h', parallelism: RUNNERS, target: 'cluster' as const, baseUrl: null, labConfigHash: null, gitCommit: null };
    const once = async (baseline?: Parameters<typeof decideRun>[0]['request']['baseline']) => {
      const t0 = performance.now();
      const analysis = await analyseRun(client, { testid: TESTID, slas, runStartMs: startMs, runEndMs: endMs, withSoakChecks: true, targetSelector: 'job="target"' });
      const tAnalysis = performance.now();
      const decisions = await decideRun({
        client, runId: TESTID, selector: `testid="${TESTID}"`, targetSelector: 'job="target"', runStartMs: startMs, runEndMs: endMs,
        pushIntervalS: PUSH_S, scrapeIntervalS: SCRAPE_S, slas, analysis,
        request: { identity, assessCapacity: true, labConfig: config, maxVUs: VUS, planForUsers: 10_000, ...(baseline ? { baseline } : {}) },
      });
      const tDecisions = performance.now();
      const verdict = runVerdict({ slas: analysis.slas, thresholds: analysis.thresholds, soakChecks: analysis.soakChecks, labChecks: [], runners: [1, 2, 3, 4].map((instance) => ({ instance, exitCode: 0 })), interrupted: false });
      const summary = buildSummary({
        runId: TESTID, target: 'cluster', scenario: 'soak', profile: 'full', vus: VUS, duration: '8h', parallelism: RUNNERS, baseUrl: null, scenarioSlas: SOAK_SLAS,
        startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), partial: false, runners: [], slas: analysis.slas, thresholds: analysis.thresholds,
        abortedBy: null, cardinality: { warnSeries: 2000, maxSeries: 20000, series: analysis.series, label: null, stopped: false, urlTag: false, groupedNames: [] },
        soakChecks: analysis.soakChecks, labChecks: [], totals: analysis.totals, endpointGroups: analysis.endpointGroups, prometheusUrl: prometheus.url, verdict,
        ...decisionsOfSummary(decisions),
      });
      const json = JSON.stringify(summary, null, 2);
      const html = renderReportHtml(summary);
      renderReportMarkdown(summary);
      renderJunit(summary);
      const tEnd = performance.now();
      return { totalMs: tEnd - t0, analysisMs: tAnalysis - t0, decisionsMs: tDecisions - tAnalysis, renderMs: tEnd - tDecisions, html: html.length, json: json.length, decisions };
    };
    const timings: Array<[number, string]> = [];
    if (process.env.BENCH_PROFILE) {
      for (const m of ['query', 'queryRange', 'queryMatrix'] as const) {
        const original = client[m].bind(client) as (...a: unknown[]) => Promise<unknown>;
        (client as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
          const t = performance.now();
          try { return await original(...a); } finally { timings.push([performance.now() - t, `${m} ${String(a[0]).slice(0, 160)}`]); }
        };
      }
    }
    const warm = await once();
    if (process.env.BENCH_PROFILE) for (const [ms, q] of timings.sort((x, y) => y[0] - x[0]).slice(0, 25)) log(`${ms.toFixed(0)} ms ${q}`);
    const baseline = { baseline: { ...warm.decisions.comparable!, name: 'bench' }, path: '(bench)', force: false };
    const rounds = [];
    for (let i = 0; i < 3; i++) rounds.push(await once(baseline));
    if (process.env.BENCH_PROFILE) {
      // each query alone, one after the other: what it costs without the others beside it
      const alone: Array<[number, string]> = [];
      const seen = new Set<string>();
      for (const [, q] of timings) {
        if (seen.has(q)) continue;
        seen.add(q);
        const [method, ...rest] = q.split(' ');
        const expr = rest.join(' ');
        if (expr.length >= 160) continue;
        const t = performance.now();
        if (method === 'queryRange') await client.queryRange(expr, startMs + 240_000, endMs, 240);
        else await client.query(expr, endMs);
        alone.push([performance.now() - t, q]);
      }
      for (const expr of [`sum by (endpoint) (increase(k6_http_req_duration_seconds{testid="${TESTID}"}[240s]))`, `sum(increase(k6_http_req_waiting_seconds{testid="${TESTID}"}[240s]))`]) {
        const t = performance.now();
        await histogramRange(client, expr, startMs + 240_000, endMs, 240);
        alone.push([performance.now() - t, `histogramRange ${expr}`]);
      }
      log(`alone: ${alone.length} queries, ${alone.reduce((n, [ms]) => n + ms, 0).toFixed(0)} ms in all`);
      for (const [ms, q] of alone.sort((x, y) => y[0] - x[0]).slice(0, 12)) log(`alone ${ms.toFixed(0)} ms ${q}`);
    }
    const median = rounds.map((r) => r.totalMs).sort((a, b) => a - b)[1]!;
    const last = rounds[rounds.length - 1]!;
    const cap = last.decisions.capacity!;
    log(`analysis + decisions + report: ${rounds.map((r) => `${(r.totalMs / 1000).toFixed(2)} s`).join(', ')} (median ${(median / 1000).toFixed(2)} s; goal < 3 s); ` +
      `analysis ${(last.analysisMs / 1000).toFixed(2)} s, decisions ${(last.decisionsMs / 1000).toFixed(2)} s, render ${(last.renderMs / 1000).toFixed(2)} s; report.html ${(last.html / 1024).toFixed(0)} KiB`);
    return {
      data: `synthetic remote-write into Prometheus 3.16 (.bin/prometheus): ${series} series (${RUNNERS} runners x ${ENDPOINT_GROUPS.length} endpoint groups, 3 timings each, custom trends, counters, gauges; 3 target replicas, Postgres, 6 Redis nodes scraped) over ${HOURS} h at ${PUSH_S}-s pushes / ${SCRAPE_S}-s scrapes, ${VUS} VUs`,
      histogramSamples: histograms,
      floatSamples: samples,
      ingestSeconds: +ingestS.toFixed(1),
      timelineWindows: last.decisions.timeline?.atMs.length ?? null,
      windowS: last.decisions.timeline?.windowS ?? null,
      roundsSeconds: rounds.map((r) => +(r.totalMs / 1000).toFixed(3)),
      medianSeconds: +(median / 1000).toFixed(3),
      goalSeconds: 3,
      analysisSeconds: +(last.analysisMs / 1000).toFixed(3),
      decisionsSeconds: +(last.decisionsMs / 1000).toFixed(3),
      renderSeconds: +(last.renderMs / 1000).toFixed(3),
      reportHtmlBytes: last.html,
      summaryJsonBytes: last.json,
      regressionsAgainstItself: last.decisions.baseline?.regressions.length ?? null,
      sustainableRps: cap.maxSustainableRps,
    };
  } finally {
    await supervisor.stopAll();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
