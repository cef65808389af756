// The lab's Postgres for real: primary + 2 streaming standbys copied from the data directory
// template, passwords generated per run, the template built once and reused, a template setup,
// a damaged template rebuilt, stopping a standby, and stopAll leaving nothing behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { MEMORY_DATA_PARENT, removePostgresData } from './placement.ts';
import { startPostgres, type LocalPostgres } from './startPostgres.ts';
import { checkReplication } from '../readiness.ts';
import { isRunning, Supervisor } from '../../process/supervisor.ts';

let stateDir: string;
let templateCache: string;
let supervisor: Supervisor;
let db: LocalPostgres;
const startLog: string[] = [];

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-pg-test-'));
  // a template cache of its own, so this file proves both building and reusing it
  templateCache = mkdtempSync(join(tmpdir(), 'perflab-pg-test-cache-'));
  chmodSync(stateDir, 0o755);
  chmodSync(templateCache, 0o755);
  supervisor = new Supervisor(stateDir);
  db = await startPostgres({ stateDir, supervisor, templateCache, log: (l) => startLog.push(l) });
});

after(async () => {
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(templateCache, { recursive: true, force: true });
  if (db) removePostgresData(db.rootDir);
});

test('by default the data directories live in memory, linked from the state folder', () => {
  assert.ok(db.rootDir.startsWith(`${MEMORY_DATA_PARENT}/perflab-pg-`), db.rootDir);
  assert.equal(readlinkSync(join(stateDir, 'postgres')), db.rootDir);
});

test('primary and 2 replicas are streaming, as pg_stat_replication shows', async () => {
  assert.equal(db.replicaUrls.length, 2);
  assert.equal(new Set([db.primaryUrl, ...db.replicaUrls]).size, 3);
  const check = await checkReplication(db.monitor.url);
  assert.equal(check.ok, true, check.problem);
  assert.equal(check.streamingReplicas, 2);
  assert.deepEqual(check.replicas.map((r) => r.name), ['postgres-replica-1', 'postgres-replica-2']);
  // each standby holds its own slot, so the primary keeps the WAL a stopped standby still needs
  await withClient(db.admin.url, async (c) => {
    const { rows } = await c.query('SELECT slot_name, active FROM pg_replication_slots ORDER BY slot_name');
    assert.deepEqual(rows, [{ slot_name: 'replica_1', active: true }, { slot_name: 'replica_2', active: true }]);
  });
});

test('a write on the primary is readable on both replicas, which refuse writes', async () => {
  const marker = `written-${Date.now()}`;
  await withClient(db.primaryUrl, async (c) => {
    await c.query('CREATE TABLE IF NOT EXISTS replication_probe (v text)');
    await c.query('INSERT INTO replication_probe VALUES ($1)', [marker]);
  });
  for (const url of db.replicaUrls) {
    await withClient(url, async (c) => {
      assert.equal((await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
      const rows = await pollRows(c, 'SELECT v FROM replication_probe WHERE v = $1', [marker]);
      assert.equal(rows.length, 1);
      await assert.rejects(c.query('INSERT INTO replication_probe VALUES ($1)', ['x']), /read-only transaction/);
    });
  }
});

test('every role needs its generated password over TCP', async () => {
  assert.ok(db.app.password.length >= 20);
  assert.notEqual(db.app.password, db.admin.password);
  const wrong = db.primaryUrl.replace(encodeURIComponent(db.app.password), 'postgres');
  await assert.rejects(withClient(wrong, async () => {}), /password authentication failed/);
  await withClient(db.admin.url, async (c) => {
    assert.equal((await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper, true);
  });
});

test('the app role cannot see replication details; the monitor role can', async () => {
  const asApp = await checkReplication(db.primaryUrl);
  assert.equal(asApp.ok, false);
  assert.match(asApp.problem!, /pg_monitor/);
  const asMonitor = await checkReplication(db.monitor.url);
  assert.equal(asMonitor.streamingReplicas, 2);
  assert.ok(asMonitor.replicas.every((r) => typeof r.lagBytes === 'number'));
});

test('a second lab from the same template has its own passwords and none of the first lab\'s data', async () => {
  assert.ok(startLog.some((l) => l.includes('built the data directory template')), startLog.join('\n'));
  const otherState = mkdtempSync(join(tmpdir(), 'perflab-pg-test-2-'));
  chmodSync(otherState, 0o755); // traversable by postgres, so the data can go inside it
  const other = new Supervisor(otherState);
  const log: string[] = [];
  try {
    // the sweep keeps a template by its marker's time: a reuse must touch it
    const marker = join(db.template.dir, 'complete');
    const aDayAgo = new Date(Date.now() - 24 * 3600_000);
    utimesSync(marker, aDayAgo, aDayAgo);
    // on disk this time, so both placements are proven
    const second = await startPostgres({ stateDir: otherState, supervisor: other, templateCache, dataOn: 'disk', log: (l) => log.push(l) });
    assert.ok(second.rootDir.startsWith(otherState), second.rootDir);
    assert.ok(log.some((l) => l.includes('reusing the data directory template')), log.join('\n'));
    assert.ok(Date.now() - statSync(marker).mtimeMs < 60_000, 'reusing the template did not mark it used');
    assert.notEqual(second.app.password, db.app.password);
    assert.notEqual(second.admin.password, db.admin.password);
    assert.notEqual(second.primary.port, db.primary.port);
    await withClient(second.primaryUrl, async (c) => {
      assert.equal((await c.query("SELECT to_regclass('replication_probe') AS t")).rows[0].t, null);
    });
    assert.equal((await checkReplication(second.monitor.url)).streamingReplicas, 2);
    assert.equal(log.some((l) => l.includes('(disk)')), true);
    // the first lab's password does not open the second lab
    const withFirstPassword = second.primaryUrl.replace(encodeURIComponent(second.app.password), encodeURIComponent(db.app.password));
    await assert.rejects(withClient(withFirstPassword, async () => {}), /password authentication failed/);
  } finally {
    await other.stopAll();
    rmSync(otherState, { recursive: true, force: true });
  }
});

test('a template setup runs once, as the app role, while the template is built; its id keys the template', async () => {
  const runs: string[] = [];
  const setup = (id: string, value: string) => ({
    id,
    run: async (url: string) => {
      runs.push(url);
      await withClient(url, async (c) => {
        await c.query('CREATE TABLE setup_probe (v text)');
        await c.query('INSERT INTO setup_probe SELECT $1 || n FROM generate_series(1, 1000) n', [value]);
      });
    },
  });
  const start = async (s: ReturnType<typeof setup>) => {
    const state = mkdtempSync(join(tmpdir(), 'perflab-pg-test-setup-'));
    const sup = new Supervisor(state);
    const pg = await startPostgres({ stateDir: state, supervisor: sup, templateCache, templateSetup: s });
    return { pg, sup, state };
  };
  const labs: Array<Awaited<ReturnType<typeof start>>> = [];
  try {
    const first = await start(setup('probe-a', 'a'));
    labs.push(first);
    assert.equal(first.pg.template.built, true);
    assert.equal(first.pg.template.setupId, 'probe-a');
    assert.equal(runs.length, 1);
    assert.match(runs[0]!, /^postgresql:\/\/perflab_app:/);
    const second = await start(setup('probe-a', 'a'));
    labs.push(second);
    assert.equal(second.pg.template.built, false, 'the same setup id rebuilt the template');
    assert.equal(second.pg.template.dir, first.pg.template.dir);
    assert.equal(runs.length, 1, 'the setup ran again');
    // the setup's data in every copy: the primary and both standbys, owned by the app role
    for (const url of [second.pg.primaryUrl, ...second.pg.replicaUrls]) {
      await withClient(url, async (c) => {
        assert.equal((await c.query("SELECT count(*)::int AS n FROM setup_probe WHERE v LIKE 'a%'")).rows[0].n, 1000);
      });
    }
    await withClient(second.pg.admin.url, async (c) => {
      assert.equal((await c.query("SELECT tableowner FROM pg_tables WHERE tablename = 'setup_probe'")).rows[0].tableowner, 'perflab_app');
    });
    assert.equal((await checkReplication(second.pg.monitor.url)).streamingReplicas, 2);
    // the build's password is not in the template: it opens no lab
    const buildPassword = new URL(runs[0]!).password;
    const withBuildPassword = second.pg.primaryUrl.replace(encodeURIComponent(second.pg.app.password), buildPassword);
    await assert.rejects(withClient(withBuildPassword, async () => {}), /password authentication failed/);
    // a template keeps only the WAL a copy needs, not the setup's
    assert.ok(readdirSync(join(first.pg.template.dir, 'data', 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f)).length <= 2);

    const other = await start(setup('probe-b', 'b'));
    labs.push(other);
    assert.equal(other.pg.template.built, true);
    assert.notEqual(other.pg.template.dir, first.pg.template.dir);
    await withClient(other.pg.primaryUrl, async (c) => {
      assert.equal((await c.query("SELECT count(*)::int AS n FROM setup_probe WHERE v LIKE 'b%'")).rows[0].n, 1000);
    });
  } finally {
    for (const lab of labs) {
      await lab.sup.stopAll();
      removePostgresData(lab.pg.rootDir);
      rmSync(lab.state, { recursive: true, force: true });
    }
  }
});

test('a failing template setup leaves no template behind', async () => {
  const state = mkdtempSync(join(tmpdir(), 'perflab-pg-test-setup-fail-'));
  const sup = new Supervisor(state);
  try {
    await assert.rejects(
      startPostgres({ stateDir: state, supervisor: sup, templateCache, templateSetup: { id: 'probe-fails', run: async () => { throw new Error('seed broke'); } } }),
      /seed broke/,
    );
    // only the templates of the other tests: no build folder, no half-made template
    const left = readdirSync(templateCache);
    assert.ok(!left.some((d) => d.includes('build')), left.join(' '));
    assert.equal(sup.processes.length, 0, 'the template server is still running');
    assert.equal(existsSync(join(state, 'postgres')), false, 'the failed start left its data folder');
  } finally {
    await sup.stopAll();
    rmSync(state, { recursive: true, force: true });
  }
});

test('a damaged template (files gone) is rebuilt, not copied', async () => {
  // the first lab's (no setup); the setup tests left others beside it
  const template = basename(db.template.dir);
  assert.ok(readdirSync(templateCache).includes(template), `no template ${template} in ${templateCache}`);
  rmSync(join(templateCache, template, 'data', 'global', 'pg_control'));
  const otherState = mkdtempSync(join(tmpdir(), 'perflab-pg-test-3-'));
  const other = new Supervisor(otherState);
  const log: string[] = [];
  try {
    const third = await startPostgres({ stateDir: otherState, supervisor: other, templateCache, replicas: 2, log: (l) => log.push(l) });
    assert.ok(log.some((l) => l.includes('built the data directory template')), log.join('\n'));
    assert.equal((await checkReplication(third.monitor.url)).ok, true);
    assert.ok(readdirSync(join(templateCache, template, 'data', 'global')).includes('pg_control'));
    await other.stopAll();
    removePostgresData(third.rootDir);
    assert.equal(existsSync(third.rootDir), false);
  } finally {
    await other.stopAll();
    rmSync(otherState, { recursive: true, force: true });
  }
});

test('stopping one replica shows in the replication check and leaves the other streaming', async () => {
  const replica = db.replicas[1]!;
  await replica.stop();
  assert.equal(supervisor.processes.some((p) => p.name === replica.name), false);
  const check = await pollUntil(() => checkReplication(db.monitor.url), (c) => c.streamingReplicas === 1);
  assert.equal(check.ok, false);
  assert.match(check.problem!, /1 of 2 replicas streaming/);
  await withClient(db.replicaUrls[0]!, async (c) => assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1));
});

test('stopAll leaves no Postgres process of this lab behind', async () => {
  const pids = supervisor.processes.map((p) => p.pid);
  assert.ok(pids.length >= 2);
  await supervisor.stopAll();
  for (const pid of pids) assert.equal(isRunning(pid), false, `pid ${pid} still alive`);
  assert.deepEqual(processesMentioning(db.rootDir), []);
  assert.deepEqual(JSON.parse(readFileSync(join(stateDir, 'processes.json'), 'utf8')), []);
});

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function pollRows(c: pg.Client, sql: string, params: unknown[]): Promise<unknown[]> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await c.query(sql, params).catch(() => ({ rows: [] as unknown[] }));
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

async function pollUntil<T>(get: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await get();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await get();
  }
  return value;
}


/**
 * pids whose command line names the folder or that run inside it: the postmaster has -D <dir>,
 * its children (backends, walsenders) rewrite their titles but keep the data dir as cwd.
 */
function processesMentioning(folder: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder) || readlinkSync(`/proc/${pid}/cwd`).startsWith(folder);
    } catch {
      return false;
    }
  }).map(Number);
}
