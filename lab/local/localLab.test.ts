// The whole local lab, for real: every part started, readiness proven (2 replicas streaming,
// cluster_state ok, Prometheus scraping every target, target healthy), lab.json written without
// secrets, and stop() leaving no process behind. A target that cannot start fails the start,
// names itself and its log, and everything started so far is stopped. The database is seeded
// once, into Postgres' template: a second start copies it (no seeding), a changed seed option
// builds another.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, PID_FILE } from '../process/supervisor.ts';
import pg from 'pg';
import { dataTierScrapeTargets, startLocalLab, type LocalLab } from './localLab.ts';
import { seededTemplateSetup, seedOptionsFor, seedTemplateId } from './seededTemplate.ts';
import { TARGET_NODE_FLAGS } from '../../target/src/nodeFlags.ts';
import type { DataTier } from './dataTier.ts';
import { readLabJson } from './labJson.ts';

const root = mkdtempSync(join(tmpdir(), 'perflab-locallab-'));
// a template cache of its own (traversable by the postgres user), so this file proves both
// building the seeded template and reusing it
const templateCache = mkdtempSync(join(tmpdir(), 'perflab-locallab-templates-'));
chmodSync(templateCache, 0o755);
const labs: LocalLab[] = [];
/** a small seed: this test is about the lab, not about the data volume */
const SEED = { students: 300, volumeStudents: 2, historyPerVolumeStudent: 1000, recentSelections: 100, schools: 3 };

after(async () => {
  for (const lab of labs) await lab.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(templateCache, { recursive: true, force: true });
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
  const lab = await startLocalLab({ runId: 'locallab-test-1', stateDir, log: (l) => lines.push(l), seed: SEED, templateCache });
  labs.push(lab);
  // a fresh cache: this start seeded the template
  assert.equal(lab.dataTier.postgres.template.built, true);
  assert.ok(lab.dataTier.postgres.template.dir.startsWith(templateCache), lab.dataTier.postgres.template.dir);
  assert.ok(lines.some((l) => l.includes('seeded into a new template')), lines.join('\n'));
  // the target runs as the esbuild bundle under plain node, with the service's own flags
  const argv = readFileSync(`/proc/${lab.target!.process.pid}/cmdline`, 'utf8').split('\0');
  for (const flag of TARGET_NODE_FLAGS) assert.ok(argv.includes(flag), argv.join(' '));
  assert.ok(argv.some((a) => a.endsWith('/target/main.mjs')), argv.join(' '));
  assert.ok(!argv.includes('tsx'), argv.join(' '));
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
  assert.equal(existsSync(lab.dataTier.postgres.rootDir), false, 'stop() left the Postgres data in memory');
});

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

test('a second start copies the seeded template: no seeding, the data on the primary and both replicas', async () => {
  const lines: string[] = [];
  const lab = await startLocalLab({
    runId: 'locallab-test-reuse', stateDir: join(root, 'lab-reuse'), seed: SEED, templateCache, withTarget: false, log: (l) => lines.push(l),
  });
  labs.push(lab);
  const { template } = lab.dataTier.postgres;
  assert.equal(template.built, false);
  assert.ok(template.dir.startsWith(templateCache), template.dir);
  assert.ok(lines.some((l) => l.includes('copied from the seeded template') && l.includes('(no seeding)')), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes('template set up')), 'the seed ran again');
  const { postgres } = lab.dataTier;
  for (const url of [postgres.primaryUrl, ...postgres.replicaUrls]) {
    // 300 ordinary + the demo student + 2 volume students; 2 x 1000 history + 100 recent selections
    assert.equal(await count(url, 'SELECT count(*) AS n FROM students'), 303);
    assert.equal(await count(url, 'SELECT count(*) AS n FROM career_history'), 2100);
    // the seed's recent selections were moved to this start: "trending" has them
    assert.equal(await count(url, "SELECT count(*) AS n FROM career_history WHERE selected_date > now() - interval '1 day'"), 100);
  }
  // tables belong to the app role, as when the lab migrated at run time
  assert.equal(await count(postgres.primaryUrl, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'perflab_app'"), 0);
  await lab.stop();
});

test('a changed seed option (or seed code) names another template; the same options, the same one', async () => {
  const same = await seededTemplateSetup({ ...SEED });
  assert.equal((await seededTemplateSetup({ ...SEED })).id, same.id);
  // defaults written out or left implicit: the same data, the same template
  assert.equal((await seededTemplateSetup({})).id, (await seededTemplateSetup(seedOptionsFor({}))).id);
  assert.notEqual((await seededTemplateSetup({ ...SEED, students: 301 })).id, same.id);
  const sources = { 'target/src/db/seed.ts': 'a', 'target/src/catalogue.ts': 'b' };
  const id = seedTemplateId({ seed: seedOptionsFor(SEED), sources });
  assert.notEqual(seedTemplateId({ seed: seedOptionsFor(SEED), sources: { ...sources, 'target/src/catalogue.ts': 'c' } }), id);
  assert.notEqual(seedTemplateId({ seed: seedOptionsFor(SEED), sources, migrations: [{ id: '001', sql: 'SELECT 1' }] }), id);

  // and for real: a start with one more student builds its own template beside the first
  const lab = await startLocalLab({
    runId: 'locallab-test-changed', stateDir: join(root, 'lab-changed'), seed: { ...SEED, students: 301 }, templateCache, withTarget: false,
  });
  labs.push(lab);
  assert.equal(lab.dataTier.postgres.template.built, true);
  assert.notEqual(lab.dataTier.postgres.template.setupId, same.id);
  assert.equal(await count(lab.dataTier.postgres.replicaUrls[1]!, 'SELECT count(*) AS n FROM students'), 304);
  await lab.stop();
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
  assert.equal(existsSync(join(stateDir, 'postgres')), false, 'a failed start left its Postgres data');
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
  assert.equal(existsSync(join(stateDir, 'postgres')), false, 'an aborted start left its Postgres data');
  const ps = spawnSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' }).stdout.split('\n');
  assert.deepEqual(ps.filter((l) => l.includes(stateDir) && !l.startsWith('Z')), []);
});
