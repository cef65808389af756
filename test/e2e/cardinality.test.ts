// A user's scenario that puts a fresh id in every URL (the guidelines' own pattern) and names
// nothing must not make a Prometheus series per request: the runners drop k6's url tag and the
// bundle names each unnamed request by its grouped URL. Real bundler, real k6, the lab's real
// Prometheus; then the guard, which stops a run whose series still run away (a name with an id
// in it) before Prometheus is in danger.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../lab/process/supervisor.ts';
import { freePort, LOOPBACK } from '../../lab/local/ports.ts';
import { startPrometheus, type LocalPrometheus } from '../../lab/local/prometheus.ts';
import { ensureK6 } from '../../lab/k6/binary.ts';
import { runK6Runners } from '../../lab/local/k6Runners.ts';
import { bundleScenario } from '../../lab/scenarios/bundle.ts';
import { PrometheusClient } from '../../lab/analysis/prometheusClient.ts';
import { countSeries, groupedNames } from '../../lab/analysis/cardinality.ts';
import { guardCardinality } from '../../lab/run/cardinalityGuard.ts';
import { CARDINALITY_LEVELS } from '../../lab/analysis/cardinality.ts';
import { LAB_SYSTEM_TAGS } from '../../lab/k6/runnerContract.ts';
import { runCommand } from '../../lab/run/runCommand.ts';
import { parseAllDocuments } from 'yaml';

let dir: string;
let supervisor: Supervisor;
let prometheus: LocalPrometheus;
let client: PrometheusClient;
let app: Server;
let appUrl: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflab-cardinality-'));
  supervisor = new Supervisor(join(dir, 'state'));
  const port = await freePort();
  app = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => app.listen(port, LOOPBACK, resolve));
  appUrl = `http://${LOOPBACK}:${port}`;
  prometheus = await startPrometheus({ stateDir: dir, supervisor });
  await prometheus.waitReady(30_000);
  client = new PrometheusClient(prometheus.url);
});

after(async () => {
  await supervisor.stopAll();
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(name: string, source: string, testid: string, signal?: AbortSignal) {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, source);
  const bundle = join(dir, `${name}.bundle.js`);
  await bundleScenario(file, bundle);
  return runK6Runners({
    k6Binary: ensureK6(), bundlePath: bundle, parallelism: 2, testid, prometheusRwUrl: prometheus.remoteWriteUrl,
    env: { BASE_URL: appUrl }, resultsDir: join(dir, testid), supervisor, ...(signal ? { signal } : {}),
  });
}

test('the guidelines\' id-per-request pattern, unchanged, stays at a handful of series: no url label, the ids grouped in the name', { timeout: 90_000 }, async () => {
  const testid = `idurls-${process.pid}`;
  const results = await run('idurls', `
import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 4, iterations: 400 } } };
export default function () {
  const studentId = \`student_\${__VU}_\${__ITER}\`;
  http.get(\`\${__ENV.BASE_URL}/api/v1/students/\${studentId}/careers/pool\`);
  http.get(\`\${__ENV.BASE_URL}/api/v1/orders/\${__ITER}?page=\${__ITER}\`);
}
`, testid);
  assert.deepEqual(results.map((r) => r.exitCode), [0, 0]);
  await new Promise((r) => setTimeout(r, 1500)); // the last push
  const selector = `testid="${testid}"`;
  const { series } = await countSeries(client, selector, false);
  // 800 requests of 800 distinct URLs: unguarded, 800+ series per request metric
  assert.ok(series > 0 && series < 100, `${series} series`);
  assert.ok(series < CARDINALITY_LEVELS.warnSeries);
  assert.equal((await client.labelNames(`{${selector}}`)).includes('url'), false, 'no url label');
  const names = (await client.query(`count by (name) (k6_http_reqs_total{${selector}})`)).map((r) => r.labels.name).sort();
  assert.deepEqual(names, [`${appUrl}/api/v1/orders/{n}?page={}`, `${appUrl}/api/v1/students/student_{n}_{n}/careers/pool`]);
  const grouped = await groupedNames(client, selector);
  assert.deepEqual(grouped.map((g) => [g.name, g.requests]).sort(), [
    [`${appUrl}/api/v1/orders/{n}?page={}`, 400], [`${appUrl}/api/v1/students/student_{n}_{n}/careers/pool`, 400],
  ]);
});

test('the guard: a name with an id in it runs the series away; over the warning it names the label, at the limit it stops the runners', { timeout: 120_000 }, async () => {
  const testid = `runaway-${process.pid}`;
  const controller = new AbortController();
  const levels = { warnSeries: 50, maxSeries: 300 };
  let over: number | undefined;
  const guard = guardCardinality({
    client, selector: `testid="${testid}"`, levels, intervalMs: 500,
    onOver: (count) => {
      over = count.series;
      controller.abort();
    },
  });
  const started = Date.now();
  const results = await run('runaway', `
import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s' } } };
export default function () {
  http.get(\`\${__ENV.BASE_URL}/api/v1/orders\`, { tags: { name: \`order-\${__VU}-\${__ITER}\` } });
}
`, testid, controller.signal);
  await guard.stop();
  const notice = guard.notice();
  assert.ok(over !== undefined && over >= levels.maxSeries, `stopped at ${over} series`);
  assert.equal(guard.latest()?.label?.name, 'name', 'the label is named after the stop');
  assert.ok(Date.now() - started < 50_000, 'the 60 s run was stopped early');
  assert.equal(results.length, 2);
  assert.match(notice ?? '', /^! \d+ Prometheus series \(warn at 50, stop at 300\): label name has \d+ values — give such requests one name: tags: \{ name: 'GetOrder' \}/);
});

test('the TestRun drops the url tag unless the scenario sets its own systemTags (k6 inspect reports the defaults when it sets none)', async () => {
  const io = { log: () => {}, write: () => {}, tty: false, signal: new AbortController().signal };
  const argsOf = async (scenario: string) => {
    const result = await runCommand([scenario, '--target', 'cluster', '--dry-run', '--parallelism', '1'], 'run', io);
    assert.equal(result.exitCode, 0, result.stderr);
    const testRun = parseAllDocuments(result.stdout!).map((d) => d.toJS())[1] as { spec: { args: string[] } };
    return testRun.spec.args;
  };
  const catalogue = await argsOf('load');
  assert.equal(catalogue[catalogue.indexOf('--system-tags') + 1], LAB_SYSTEM_TAGS.join(','));
  const own = join(dir, 'own-tags.js');
  writeFileSync(own, `export const options = { systemTags: ['status', 'url'] };\nexport default function () {}\n`);
  assert.equal((await argsOf(own)).includes('--system-tags'), false, 'the scenario\'s own systemTags are left alone');
});
