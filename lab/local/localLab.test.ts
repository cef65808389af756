// The whole local lab, for real: every part started, readiness proven (2 replicas streaming,
// cluster_state ok, Prometheus scraping every target, target healthy), lab.json written without
// secrets, and stop() leaving no process behind. A target that cannot start fails the start,
// names itself and its log, and everything started so far is stopped.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, PID_FILE } from './supervisor.ts';
import { dataTierScrapeTargets, startLocalLab, targetServiceEnv, type LocalLab } from './localLab.ts';
import { configFromEnv } from '../../target/src/config.ts';
import type { DataTier } from './dataTier.ts';
import { readLabJson } from './labJson.ts';

const root = mkdtempSync(join(tmpdir(), 'perflab-locallab-'));
const labs: LocalLab[] = [];
/** a small seed: this test is about the lab, not about the data volume */
const SEED = { students: 300, volumeStudents: 2, historyPerVolumeStudent: 1000, recentSelections: 100, schools: 3 };

after(async () => {
  for (const lab of labs) await lab.stop();
  rmSync(root, { recursive: true, force: true });
});

test('the target env is what the target service accepts (its own config parser)', () => {
  const tier = {
    postgres: { primaryUrl: 'postgresql://app:pw@127.0.0.1:5001/perflab', replicaUrls: ['postgresql://app:pw@127.0.0.1:5002/perflab', 'postgresql://app:pw@127.0.0.1:5003/perflab'] },
    redis: { nodes: ['127.0.0.1:7001', '127.0.0.1:7002'], password: 'secret' },
  } as unknown as Pick<DataTier, 'postgres' | 'redis'>;
  const config = configFromEnv(targetServiceEnv(tier, 8123, { TARGET_INJECT_LATENCY_MS: '250' }));
  assert.equal(config.port, 8123);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.replicaUrls.length, 2);
  assert.deepEqual(config.redisNodes, [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }]);
  assert.equal(config.redisPassword, 'secret');
  assert.equal(config.injectLatencyMs, 250);
});

test('every Redis node is its own scrape target through the one exporter', () => {
  const targets = dataTierScrapeTargets({
    redis: { nodes: ['127.0.0.1:7001', '127.0.0.1:7002'] },
    exporters: {
      postgres: { name: 'postgres-exporter', address: '127.0.0.1:9187', metricsUrl: '' },
      redis: { name: 'redis-exporter', address: '127.0.0.1:9121', metricsUrl: '', scrapeUrls: [], targets: ['redis://127.0.0.1:7001', 'redis://127.0.0.1:7002'] },
    },
  } as unknown as Pick<DataTier, 'exporters' | 'redis'>);
  assert.deepEqual(targets.map((t) => [t.job, t.address, t.instance ?? t.address, t.params?.target]), [
    ['postgres', '127.0.0.1:9187', '127.0.0.1:9187', undefined],
    ['redis', '127.0.0.1:9121', '127.0.0.1:7001', 'redis://127.0.0.1:7001'],
    ['redis', '127.0.0.1:9121', '127.0.0.1:7002', 'redis://127.0.0.1:7002'],
  ]);
});

function recordedPids(stateDir: string): Array<{ name: string; pid: number }> {
  return JSON.parse(readFileSync(join(stateDir, PID_FILE), 'utf8')) as Array<{ name: string; pid: number }>;
}

test('startLocalLab brings every part to ready, and stop() leaves no process behind', async () => {
  const stateDir = join(root, 'lab-1');
  const lines: string[] = [];
  const lab = await startLocalLab({ runId: 'locallab-test-1', stateDir, log: (l) => lines.push(l), seed: SEED });
  labs.push(lab);
  const r = lab.readiness;
  assert.equal(r.ok, true);
  assert.equal(r.replication.streamingReplicas, 2);
  assert.equal(r.redisCluster.clusterState, 'ok');
  assert.equal(r.redisCluster.primaries, 3);
  assert.equal(r.redisCluster.replicas, 3);
  assert.equal(r.target?.status, 'healthy');
  // every lab process is a scrape target, and every one is up
  const jobs = r.prometheus.targets.map((t) => t.job).sort();
  assert.deepEqual([...new Set(jobs)], ['alertmanager', 'postgres', 'prometheus', 'redis', 'target']);
  assert.equal(jobs.filter((j) => j === 'redis').length, 6, 'each Redis node is scraped');
  assert.ok(r.prometheus.targets.every((t) => t.health === 'up'));
  assert.ok(typeof r.coldStartMs === 'number' && r.coldStartMs > 0);
  assert.ok(lines.some((l) => l.includes('ready in')), 'no progress line for ready');

  // the target really serves from the seeded database, and Prometheus has its metrics
  const trending = await fetch(`${lab.endpoints.targetBaseUrl}/api/v1/careers/trending`);
  assert.equal(trending.status, 200);
  const up = await (await fetch(`${lab.endpoints.prometheusUrl}/api/v1/query?query=${encodeURIComponent('up{job="target"}')}`)).json() as
    { data: { result: Array<{ value: [number, string] }> } };
  assert.equal(up.data.result[0]?.value[1], '1');
  // the SLA rules are loaded
  const rules = await (await fetch(`${lab.endpoints.prometheusUrl}/api/v1/rules`)).json() as { data: { groups: unknown[] } };
  assert.ok(rules.data.groups.length > 0);

  // lab.json: endpoints, no secrets; the secrets file is the owner's only
  const file = lab.writeLabJson(join(root, 'results-1'));
  const json = readLabJson(file);
  assert.equal(json.runId, 'locallab-test-1');
  assert.equal(json.endpoints.postgres.replicas.length, 2);
  assert.equal(json.endpoints.redis.nodes.length, 6);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(lab.dataTier.redis.password), 'the Redis password leaked into lab.json');
  assert.ok(!text.includes(lab.dataTier.postgres.app.password), 'the Postgres password leaked into lab.json');
  assert.equal(statSync(json.endpoints.secretsFile).mode & 0o777, 0o600);

  const again = await lab.checkReadiness();
  assert.equal(again.ok, true, again.problems.join('; '));

  const pids = recordedPids(stateDir);
  assert.ok(pids.length >= 13, `only ${pids.length} processes recorded`);
  await lab.stop();
  const alive = pids.filter((p) => isRunning(p.pid));
  assert.deepEqual(alive, [], 'processes left running after stop()');
  assert.deepEqual(recordedPids(stateDir), []);
});

test('a target that cannot start fails the start, names its log, and stops everything', async () => {
  const stateDir = join(root, 'lab-2');
  await assert.rejects(
    startLocalLab({ runId: 'locallab-test-2', stateDir, seed: SEED, targetEnv: { TARGET_INJECT_LATENCY_MS: 'slow' }, readyTimeoutMs: 60_000 }),
    (error: Error) => {
      assert.match(error.message, /^local lab not ready: target service exited/);
      assert.match(error.message, /logs\/target\.log/);
      return true;
    },
  );
  assert.match(readFileSync(join(stateDir, 'logs', 'target.log'), 'utf8'), /TARGET_INJECT_LATENCY_MS/);
  assert.deepEqual(recordedPids(stateDir), [], 'processes left running after a failed start');
  // and nothing that runs from its state folder (Prometheus, Alertmanager, Redis) is still there
  const ps = spawnSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' }).stdout.split('\n');
  assert.deepEqual(ps.filter((l) => l.includes(stateDir) && !l.startsWith('Z')), []);
});

test('Ctrl-C during the start stops everything started so far', async () => {
  const stateDir = join(root, 'lab-3');
  const controller = new AbortController();
  await assert.rejects(
    startLocalLab({
      runId: 'locallab-test-3', stateDir, seed: SEED, signal: controller.signal,
      // abort the moment the data tier is up: Prometheus, Alertmanager, Postgres, Redis, exporters are running
      log: (line) => { if (line.includes('data tier up')) controller.abort(); },
    }),
    /local lab not ready: aborted/,
  );
  assert.deepEqual(recordedPids(stateDir), []);
  const ps = spawnSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' }).stdout.split('\n');
  assert.deepEqual(ps.filter((l) => l.includes(stateDir) && !l.startsWith('Z')), []);
});
