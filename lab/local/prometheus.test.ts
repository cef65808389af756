// The local Prometheus: its config and rule files are what promtool accepts, and a real
// Prometheus 3.16 (the lab's, built into .bin/) started from them scrapes the targets it is given and reports readiness
// truthfully (an unreachable target keeps it not ready, named in the error).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePort, LOOPBACK } from './ports.ts';
import { Supervisor } from '../process/supervisor.ts';
import { fileSdGroups, prometheusConfig, ruleFileYaml, scrapeTargetsNotUp, startPrometheus, type RuleGroup } from './prometheus.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'perflab-prometheus-'));
const supervisor = new Supervisor(stateDir);
const servers: Server[] = [];

after(async () => {
  await supervisor.stopAll();
  for (const s of servers) s.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function promtool(...args: string[]) {
  return spawnSync(LOCAL_LAB_BINARIES.promtool.path, args, { encoding: 'utf8' });
}

/** A tiny /metrics endpoint standing in for a lab process (it IS an HTTP server Prometheus scrapes). */
async function metricsServer(): Promise<string> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/custom-metrics') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('lab_test_gauge 42\n');
    // a multi-target exporter: what it reports depends on ?target=
    else if (url.pathname === '/scrape') res.writeHead(200).end(`lab_test_multi ${url.searchParams.get('target') === 'node-a' ? 1 : 2}\n`);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return `${LOOPBACK}:${port}`;
}

const GROUPS: RuleGroup[] = [{
  name: 'lab-test',
  rules: [{ alert: 'LabTestAlwaysFiring', expr: 'vector(1) > 0', labels: { severity: 'info' }, annotations: { summary: 'always' } }],
}];

test('the generated config passes promtool check config', () => {
  const dir = mkdtempSync(join(stateDir, 'cfg-'));
  const rules = join(dir, 'r.yml');
  writeFileSync(rules, ruleFileYaml(GROUPS));
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, YAML.stringify(prometheusConfig({
    targetsDir: join(dir, 'targets'), ruleFiles: [rules], alertmanagerAddress: '127.0.0.1:9093',
    scrapeInterval: '1s', evaluationInterval: '5s', externalLabels: { lab: 'local' },
  })));
  const out = promtool('check', 'config', file);
  assert.equal(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /1 rules found/);
});

test('a broken rule is refused by promtool (the check can fail)', () => {
  const file = join(stateDir, 'broken.rules.yml');
  writeFileSync(file, ruleFileYaml([{ name: 'bad', rules: [{ alert: 'Bad', expr: 'sum(' }] }]));
  assert.notEqual(promtool('check', 'rules', file).status, 0);
});

test('file_sd groups carry job and metrics path per target', () => {
  assert.deepEqual(fileSdGroups([
    { job: 'target', address: '127.0.0.1:1' },
    { job: 'redis', address: '127.0.0.1:2', metricsPath: '/scrape', instance: '127.0.0.1:7000', params: { target: 'redis://127.0.0.1:7000' }, labels: { role: 'primary' } },
  ]), [
    { targets: ['127.0.0.1:1'], labels: { job: 'target', __metrics_path__: '/metrics' } },
    { targets: ['127.0.0.1:2'], labels: { role: 'primary', job: 'redis', __metrics_path__: '/scrape', instance: '127.0.0.1:7000', __param_target: 'redis://127.0.0.1:7000' } },
  ]);
});

test('Prometheus scrapes the targets it is given, added before and after start', async () => {
  const early = await metricsServer();
  const prometheus = await startPrometheus({
    stateDir, supervisor, ruleGroups: GROUPS,
    scrapeTargets: [{ job: 'early', address: early, metricsPath: '/custom-metrics' }],
  });
  const late = await metricsServer();
  prometheus.setScrapeTargets('late', [
    { job: 'late', address: late, metricsPath: '/custom-metrics' },
    ...['node-a', 'node-b'].map((node) => ({ job: 'multi', address: late, metricsPath: '/scrape', instance: node, params: { target: node } })),
  ]);
  const readiness = await prometheus.waitReady(20_000);
  assert.ok(readiness.ready);
  assert.deepEqual(readiness.targets.map((t) => t.job).sort(), ['early', 'late', 'multi', 'multi', 'prometheus']);
  assert.ok(readiness.targets.every((t) => t.health === 'up'));
  const body = await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('lab_test_gauge')}`)).json() as
    { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.deepEqual(body.data.result.map((r) => [r.metric.job, r.value[1]]).sort(), [['early', '42'], ['late', '42']]);
  const multi = await (await fetch(`${prometheus.url}/api/v1/query?query=lab_test_multi`)).json() as typeof body;
  assert.deepEqual(multi.data.result.map((r) => [r.metric.instance, r.value[1]]).sort(), [['node-a', '1'], ['node-b', '2']]);
  // the rules file was loaded: the always-firing rule is listed
  const rules = await (await fetch(`${prometheus.url}/api/v1/rules`)).json() as { data: { groups: Array<{ name: string }> } };
  assert.deepEqual(rules.data.groups.map((g) => g.name), ['lab-test']);
});

test('scrapeTargetsNotUp matches on job and instance, and says why each one is not up', () => {
  const seen = [
    { job: 'target', instance: '127.0.0.1:1', scrapeUrl: '', health: 'up' as const, lastError: '' },
    { job: 'redis', instance: '127.0.0.1:7000', scrapeUrl: '', health: 'down' as const, lastError: 'connection refused' },
    { job: 'redis', instance: '127.0.0.1:7001', scrapeUrl: '', health: 'unknown' as const, lastError: '' },
  ];
  assert.deepEqual(scrapeTargetsNotUp([
    { job: 'target', address: '127.0.0.1:1' },
    { job: 'redis', address: '127.0.0.1:9121', instance: '127.0.0.1:7000' },
    { job: 'redis', address: '127.0.0.1:9121', instance: '127.0.0.1:7001' },
    { job: 'postgres', address: '127.0.0.1:9187' },
    // the same address under another job is another target
    { job: 'other', address: '127.0.0.1:1' },
  ], seen), [
    'redis 127.0.0.1:7000 (down: connection refused)',
    'redis 127.0.0.1:7001 (unknown)',
    'postgres 127.0.0.1:9187 (not discovered yet)',
    'other 127.0.0.1:1 (not discovered yet)',
  ]);
});

test('a target that never answers keeps Prometheus not ready, and the error names it', async () => {
  const deadPort = await freePort();
  const prometheus = await startPrometheus({
    stateDir, supervisor, name: 'prometheus-dead',
    scrapeTargets: [{ job: 'postgres-exporter', address: `${LOOPBACK}:${deadPort}` }],
  });
  await assert.rejects(prometheus.waitReady(7_000), (error: Error) => {
    assert.match(error.message, new RegExp(`not up: postgres-exporter ${LOOPBACK}:${deadPort}`));
    assert.match(error.message, /prometheus-dead\.log/);
    return true;
  });
});
