// k6 runners as the operator runs them, with the real k6 and a real Prometheus: two runners split
// the work by execution segments, start paused and resume together, remote-write native
// histograms that aggregate across runners; an abort still leaves every runner's summary.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureK6 } from '../k6/binary.ts';
import { freePort, LOOPBACK } from './ports.ts';
import { Supervisor } from '../process/supervisor.ts';
import { startPrometheus, type LocalPrometheus } from './prometheus.ts';
import { runK6Runners, type RunnersStatus } from './k6Runners.ts';
import { localRunnerArgs } from '../k6/runnerContract.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'perflab-k6runners-'));
const supervisor = new Supervisor(stateDir);
let prometheus: LocalPrometheus;
let server: Server;
let appUrl: string;
let k6: string;
const SLOW_MS = 80;
/** when each request arrived: the runners must start together. */
const firstRequestAt = new Map<string, number>();

before(async () => {
  k6 = ensureK6();
  const port = await freePort();
  let n = 0;
  server = createServer((req, res) => {
    const runner = req.headers['x-runner'] as string;
    if (!firstRequestAt.has(runner)) firstRequestAt.set(runner, Date.now());
    n += 1;
    setTimeout(() => res.writeHead(200).end('ok'), n % 10 === 0 ? SLOW_MS : 0);
  });
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  appUrl = `http://${LOOPBACK}:${port}`;
  prometheus = await startPrometheus({ stateDir, supervisor });
  await prometheus.waitReady(20_000);
});

after(async () => {
  await supervisor.stopAll();
  server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(stateDir, name);
  writeFileSync(path, body);
  return path;
}

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const url = `${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const body = (await (await fetch(url)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

test('runner args carry the segment, REST address, tags and summary path', () => {
  const args = localRunnerArgs({ instance: 2, parallelism: 3, apiAddress: '127.0.0.1:7000', testid: 't1', summaryPath: '/r/s.json', bundlePath: '/b.js' });
  for (const expected of ['--paused', '--execution-segment=1/3:2/3', '--execution-segment-sequence=0,1/3,2/3,1', 'testid=t1', 'instance_id=2', 'experimental-prometheus-rw']) {
    assert.ok(args.includes(expected), `missing ${expected}`);
  }
  assert.equal(args[args.indexOf('--address') + 1], '127.0.0.1:7000');
  assert.equal(args[args.indexOf('--summary-export') + 1], '/r/s.json');
  assert.equal(args.at(-1), '/b.js');
});

test('2 runners split the iterations, start together and aggregate in Prometheus', async () => {
  const testid = `runners-${process.pid}`;
  const resultsDir = join(stateDir, 'results-1');
  const bundle = script('split.js', `
    import http from 'k6/http';
    import exec from 'k6/execution';
    export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 4, iterations: 400 } } };
    export default function () {
      http.get(__ENV.APP_URL, { headers: { 'x-runner': exec.vu.tags.instance_id + '-' + exec.vu.idInTest } });
    }`);
  const statuses: RunnersStatus[] = [];
  const results = await runK6Runners({
    k6Binary: k6, bundlePath: bundle, parallelism: 2, testid, prometheusRwUrl: prometheus.remoteWriteUrl,
    env: { APP_URL: appUrl }, resultsDir, onStatus: (s) => statuses.push(s), statusIntervalMs: 200,
  });
  assert.deepEqual(results.map((r) => [r.instance, r.exitCode, r.segment]), [[1, 0, '0:1/2'], [2, 0, '1/2:1']]);
  // each runner did its half of the iterations (from its summary) with its half of the VUs (seen by
  // the app: a sub-second run's summary may lack vus_max, which k6 emits on a timer)
  for (const r of results) {
    assert.ok(r.summaryPath && existsSync(r.summaryPath), `runner ${r.instance} wrote no summary`);
    const summary = JSON.parse(readFileSync(r.summaryPath, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    assert.equal(summary.metrics.iterations!.count, 200);
    const vusSeen = [...firstRequestAt.keys()].filter((key) => key.startsWith(`${r.instance}-`));
    assert.equal(vusSeen.length, 2, `runner ${r.instance} ran VUs ${vusSeen.join(', ')}`);
  }
  // resumed together: the first requests of all 4 VUs came within a short window
  const starts = [...firstRequestAt.values()];
  assert.equal(starts.length, 4);
  assert.ok(Math.max(...starts) - Math.min(...starts) < 1000, `runners started ${Math.max(...starts) - Math.min(...starts)} ms apart`);
  // wait for the last push, then read the run across both runners
  await new Promise((r) => setTimeout(r, 1500));
  const byInstance = await query(`count by (instance_id) (k6_http_req_duration_seconds{testid="${testid}"})`);
  assert.deepEqual(byInstance.map((r) => r.metric.instance_id).sort(), ['1', '2']);
  const total = await query(`sum(k6_http_reqs_total{testid="${testid}"})`);
  assert.equal(Number(total[0]!.value[1]), 400);
  const p95 = await query(`histogram_quantile(0.95, sum(rate(k6_http_req_duration_seconds{testid="${testid}"}[1m])))`);
  const p95Ms = Number(p95[0]!.value[1]) * 1000;
  assert.ok(p95Ms >= SLOW_MS * 0.9 && p95Ms <= SLOW_MS * 1.3, `p95 ${p95Ms} ms is not near the slow tenth (${SLOW_MS} ms)`);
  // the status callback saw both runners
  assert.ok(statuses.some((s) => s.runners.length === 2));
});

test('an abort stops the runners with SIGINT and still returns their summaries', async () => {
  const resultsDir = join(stateDir, 'results-2');
  const bundle = script('long.js', `
    import http from 'k6/http';
    import { sleep } from 'k6';
    export const options = { vus: 2, duration: '5m' };
    export default function () { http.get(__ENV.APP_URL); sleep(0.05); }`);
  const controller = new AbortController();
  const started = Date.now();
  const pending = runK6Runners({
    k6Binary: k6, bundlePath: bundle, parallelism: 2, testid: `abort-${process.pid}`, prometheusRwUrl: prometheus.remoteWriteUrl,
    env: { APP_URL: appUrl }, resultsDir, signal: controller.signal,
    onStatus: (s) => { if (s.iterations > 10) controller.abort(); }, statusIntervalMs: 200,
  });
  const results = await pending;
  assert.ok(Date.now() - started < 60_000);
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.notEqual(r.exitCode, 0, `runner ${r.instance} was not interrupted`);
    assert.ok(r.summaryPath, `runner ${r.instance} wrote no summary after SIGINT`);
  }
  const pids = JSON.parse(readFileSync(join(resultsDir, 'processes.json'), 'utf8')) as unknown[];
  assert.deepEqual(pids, [], 'runners still recorded as running');
});

test('a runner that cannot start fails the start with its log named, and none is left running', async () => {
  const resultsDir = join(stateDir, 'results-3');
  const bundle = script('broken.js', `export default function () { this is not javascript }`);
  await assert.rejects(
    runK6Runners({ k6Binary: k6, bundlePath: bundle, parallelism: 2, testid: 'broken', prometheusRwUrl: prometheus.remoteWriteUrl, resultsDir }),
    /k6 runner \d exited \(\d+\) before it was ready to start; see .*k6-runner-\d\.log/,
  );
  assert.deepEqual(JSON.parse(readFileSync(join(resultsDir, 'processes.json'), 'utf8')), []);
});

test('bad options name the field', async () => {
  const base = { k6Binary: k6, bundlePath: join(stateDir, 'split.js'), prometheusRwUrl: prometheus.remoteWriteUrl, resultsDir: stateDir };
  await assert.rejects(runK6Runners({ ...base, parallelism: 0, testid: 'x' }), /parallelism must be a whole number >= 1/);
  await assert.rejects(runK6Runners({ ...base, parallelism: 1, testid: 'a b' }), /testid must be/);
  await assert.rejects(runK6Runners({ ...base, bundlePath: '/nope.js', parallelism: 1, testid: 'x' }), /bundlePath \/nope\.js does not exist/);
});
