// Integration and contract tests of the target service against the real local data tier:
// Postgres primary + 2 streaming replicas and a 6-node Redis cluster (lab/local/dataTier.ts).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { Supervisor } from '../../lab/process/supervisor.ts';
import { configFromEnv } from './config.ts';
import { TARGET_NODE_ARGS } from './nodeFlags.ts';
import { migrate } from './db/migrate.ts';
import { seed } from './db/seed.ts';
import { startTarget, type RunningTarget } from './server.ts';
import { parseServerTiming, RequestTiming } from './timing.ts';
import { startTargetOnDataTier, targetEnv, type TargetOnDataTier } from '../../lab/local/targetOnDataTier.ts';

let stateDir: string;
let supervisor: Supervisor;
let lab: TargetOnDataTier;
let base: string;
const extraTargets: RunningTarget[] = [];

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-target-test-'));
  supervisor = new Supervisor(stateDir);
  lab = await startTargetOnDataTier({
    stateDir,
    supervisor,
    seed: { students: 200, volumeStudents: 2, historyPerVolumeStudent: 1200, recentSelections: 300, schools: 5 },
    env: { REALTIME_INTERVAL_MS: '200' },
  });
  base = `${lab.target.url}/api/v1`;
});

after(async () => {
  for (const t of extraTargets) await t.close().catch(() => undefined);
  await lab?.target.close().catch(() => undefined);
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
  if (lab && !lab.tier.postgres.rootDir.startsWith(stateDir)) rmSync(lab.tier.postgres.rootDir, { recursive: true, force: true });
});

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const response = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
    ...rest,
    ...(json !== undefined ? { method: rest.method ?? 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${lab.target.url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Waits until both standbys have replayed everything the primary has written so far. */
async function waitForReplicas(): Promise<void> {
  const { rows } = await lab.target.deps.db.primary.pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  for (const url of lab.tier.postgres.replicaUrls) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (let i = 0; i < 200; i++) {
        const r = await client.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0]!.lsn]);
        if (r.rows[0]!.done) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await client.end();
    }
  }
}

test("the guidelines' career selection flow (§2.1): pool of 4, select, content containers, interactions, flow state", async () => {
  const studentId = `student_${process.pid}_1`;
  const pool = await call(`/students/${studentId}/careers/pool`);
  assert.equal(pool.status, 200);
  assert.equal(pool.body.careers.length, 4);
  for (const career of pool.body.careers) assert.deepEqual(Object.keys(career).sort(), ['cluster', 'gradeLevel', 'id', 'name']);
  assert.match(pool.headers.get('x-cache')!, /^(HIT|MISS)$/);

  const chosen = pool.body.careers[1];
  const selection = await call(`/students/${studentId}/careers/select`, { json: { careerId: chosen.id } });
  assert.equal(selection.status, 200);
  assert.equal(selection.body.careerId, chosen.id);
  assert.equal(selection.body.studentId, studentId);
  assert.ok(selection.body.sessionId !== undefined);

  const content = await call(`/sessions/${selection.body.sessionId}/content`);
  assert.equal(content.status, 200);
  assert.ok(content.body.learn && content.body.experience && content.body.discover);
  assert.equal(content.body.sessionId, selection.body.sessionId);

  for (let i = 0; i < 10; i++) {
    const r = await call(`/sessions/${selection.body.sessionId}/interact`, { json: { type: 'answer', data: { questionId: i, answer: i % 3 !== 0 } } });
    assert.equal(r.status, 200);
    assert.equal(r.body.recorded, true);
    assert.ok(r.body.interactionId);
  }
  await waitForReplicas(); // flow state is read on a replica (as the guidelines' think time would allow)
  const flow = await call(`/students/${studentId}/flow-state`);
  assert.equal(flow.status, 200);
  assert.ok(flow.body.percentage >= 0 && flow.body.percentage <= 100);
  assert.equal(flow.body.interactions, 10);
  assert.equal(flow.body.state, 'flow'); // 7 of 10 right: the sweet spot

  // The chosen career is not offered again within 5 days (the pool cache was invalidated).
  const again = await call(`/students/${studentId}/careers/pool`);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('x-cache'), 'MISS');
  assert.ok(!again.body.careers.some((c: { id: string }) => c.id === chosen.id));

  // A second choice replaces the first as the current career; history keeps both.
  const second = await call(`/students/${studentId}/careers/select`, { json: { careerId: again.body.careers[0].id } });
  assert.equal(second.status, 200);
  const { rows } = await lab.target.deps.db.primary.pool.query<{ career_id: string; active: boolean }>(
    'SELECT career_id, active FROM career_selections WHERE student_id = $1 ORDER BY id', [studentId]);
  assert.deepEqual(rows.map((r) => [r.career_id, r.active]), [[chosen.id, false], [again.body.careers[0].id, true]]);
  const history = await lab.target.deps.db.primary.pool.query('SELECT 1 FROM career_history WHERE student_id = $1', [studentId]);
  assert.equal(history.rows.length, 2);
});

test('every response has Server-Timing (db, cache) and X-Pod-Name; cacheable ones X-Cache', async () => {
  const r = await call('/students/dashboard');
  assert.equal(r.status, 200);
  const timing = parseServerTiming(r.headers.get('server-timing')!);
  assert.ok(timing.db! > 0, 'the dashboard queries the database');
  assert.ok(timing.cache! >= 0);
  assert.ok(r.headers.get('x-pod-name'));
  for (const key of ['student', 'currentCareer', 'recentSessions', 'flow']) assert.ok(key in r.body, key);
  assert.equal(r.body.student.id, 'demo_student');
  assert.equal(r.body.currentCareer.id, 'g5-astronaut');
  const notFound = await call('/nope');
  assert.equal(notFound.status, 404);
  assert.ok(notFound.headers.get('server-timing'));
});

test('trending careers: a miss loads from the database, then hits come from Redis without it', async () => {
  await lab.target.deps.cache.cluster.del('careers:trending:7');
  const misses = await metricValue('target_cache_requests_total', { cache: 'careerPools', result: 'miss' });
  const first = await call('/careers/trending?limit=7');
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-cache'), 'MISS');
  assert.ok(parseServerTiming(first.headers.get('server-timing')!).db! > 0);
  assert.equal(first.body.careers.length, 7);
  const second = await call('/careers/trending?limit=7');
  assert.equal(second.headers.get('x-cache'), 'HIT');
  assert.equal(parseServerTiming(second.headers.get('server-timing')!).db, 0);
  assert.deepEqual(second.body, first.body);
  assert.equal(await metricValue('target_cache_requests_total', { cache: 'careerPools', result: 'miss' }), misses + 1);
  assert.equal(Number(await lab.target.deps.cache.cluster.ttl('careers:trending:7')) > 3500, true, 'careerPools TTL 3600 s');
});

test('concurrent misses of one key share a single load (no stampede), in both cache-aside paths', async () => {
  const { cache } = lab.target.deps;
  for (const path of ['getOrLoad', 'getOrLoadJson'] as const) {
    const key = `stampede:${path}:${randomUUID()}`;
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 100)); // long enough for every caller to miss first
      return { loadedBy: loads };
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => cache[path](new RequestTiming(), 'test', key, 60, load)));
    assert.equal(loads, 1, `${path}: ${loads} loads for 10 concurrent misses`);
    assert.ok(results.every((r) => !r.hit), `${path}: a caller hit a key nobody had stored yet`);
    const values = results.map((r) => ('json' in r ? JSON.parse(r.json) : r.value));
    assert.deepEqual(values, Array(10).fill({ loadedBy: 1 }));
    // the shared load stored it once; the next caller hits, and a later miss loads again
    const after = await cache[path](new RequestTiming(), 'test', key, 60, load);
    assert.equal(after.hit, true, `${path}: the shared load did not store the value`);
    await cache.cluster.del(key);
    await cache[path](new RequestTiming(), 'test', key, 60, load);
    assert.equal(loads, 2, `${path}: a miss after the shared load finished did not load again`);
    await cache.cluster.del(key);
  }
});

test('generated content: a miss burns CPU and is cached for a day; the next session of that career hits', async () => {
  const studentA = `content_a_${process.pid}`;
  const studentB = `content_b_${process.pid}`;
  const career = 'g7-chemist';
  await lab.target.deps.cache.cluster.del('content:g7-chemist:7');
  const a = await call(`/students/${studentA}/careers/select`, { json: { careerId: career } });
  const b = await call(`/students/${studentB}/careers/select`, { json: { careerId: career } });
  const generations = await metricValue('target_content_generation_seconds_count', {});
  const miss = await call(`/sessions/${a.body.sessionId}/content`);
  assert.equal(miss.headers.get('x-cache'), 'MISS');
  const hit = await call(`/sessions/${b.body.sessionId}/content`);
  assert.equal(hit.headers.get('x-cache'), 'HIT');
  assert.equal(hit.body.digest, miss.body.digest);
  assert.equal(hit.body.sessionId, b.body.sessionId);
  assert.equal(await metricValue('target_content_generation_seconds_count', {}), generations + 1);
  assert.ok(Number(await lab.target.deps.cache.cluster.ttl('content:g7-chemist:7')) > 86_000);
});

test('reads reach a replica and writes the primary (per-pool counters and pg_stat_activity)', async () => {
  const before = {
    replicaReads: (await metricValue('target_db_queries_total', { pool: 'replica-0', kind: 'read' })) +
      (await metricValue('target_db_queries_total', { pool: 'replica-1', kind: 'read' })),
    primaryWrites: await metricValue('target_db_queries_total', { pool: 'primary', kind: 'write' }),
    primaryReads: await metricValue('target_db_queries_total', { pool: 'primary', kind: 'read' }),
  };
  for (let i = 0; i < 6; i++) assert.equal((await call('/students/volume_test_1/career-history?limit=5')).status, 200);
  const afterReads = {
    replicaReads: (await metricValue('target_db_queries_total', { pool: 'replica-0', kind: 'read' })) +
      (await metricValue('target_db_queries_total', { pool: 'replica-1', kind: 'read' })),
    primaryReads: await metricValue('target_db_queries_total', { pool: 'primary', kind: 'read' }),
  };
  assert.ok(afterReads.replicaReads >= before.replicaReads + 6, 'history reads went to the replicas');
  assert.equal(afterReads.primaryReads, before.primaryReads, 'no read fell back to the primary');
  assert.ok((await metricValue('target_db_queries_total', { pool: 'replica-0', kind: 'read' })) > 0, 'round-robin uses replica-0');
  assert.ok((await metricValue('target_db_queries_total', { pool: 'replica-1', kind: 'read' })) > 0, 'and replica-1');
  await call('/students/rw_proof/careers/select', { json: { careerId: 'g3-nurse' } });
  assert.ok((await metricValue('target_db_queries_total', { pool: 'primary', kind: 'write' })) > before.primaryWrites);

  // From the servers' side: the replica pools' connections are on the standbys, the primary's on the primary.
  const names = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ application_name: string; standby: boolean }>(
        `SELECT DISTINCT application_name, pg_is_in_recovery() AS standby FROM pg_stat_activity WHERE application_name LIKE 'target-%'`,
      );
      return rows;
    } finally {
      await client.end();
    }
  };
  const onReplica = await names(lab.tier.postgres.replicaUrls[0]!);
  assert.ok(onReplica.length > 0 && onReplica.every((r) => r.standby && r.application_name === 'target-replica-0'), JSON.stringify(onReplica));
  const onPrimary = await names(lab.tier.postgres.primaryUrl);
  assert.ok(onPrimary.some((r) => r.application_name === 'target-primary' && !r.standby), JSON.stringify(onPrimary));
  assert.ok(!onPrimary.some((r) => r.application_name.startsWith('target-replica')));
});

test('career history: keyset pagination over 1200 entries, limit up to 1000, stable cursor', async () => {
  const first = await call('/students/volume_test_2/career-history?limit=1000');
  assert.equal(first.status, 200);
  assert.equal(first.body.items.length, 1000);
  assert.equal(first.body.hasMore, true);
  assert.ok(parseServerTiming(first.headers.get('server-timing')!).db! < 1000);
  const second = await call(`/students/volume_test_2/career-history?limit=1000&cursor=${first.body.nextCursor}`);
  assert.equal(second.body.items.length, 200);
  assert.equal(second.body.hasMore, false);
  assert.equal(second.body.nextCursor, undefined);
  const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
  assert.equal(new Set(ids).size, 1200, 'no entry twice, none skipped');
  const dates = [...first.body.items, ...second.body.items].map((i: { selectedAt: string }) => Date.parse(i.selectedAt));
  assert.ok(dates.every((d, i) => i === 0 || d <= dates[i - 1]!), 'newest first');
  assert.equal((await call('/students/volume_test_2/career-history?limit=1001')).status, 400);
  const bad = await call('/students/volume_test_2/career-history?cursor=garbage');
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /cursor/);
  const fresh = await call(`/students/new_${process.pid}/career-history`);
  assert.deepEqual({ items: fresh.body.items, hasMore: fresh.body.hasMore }, { items: [], hasMore: false });
});

async function countStudents(): Promise<number> {
  const { rows } = await lab.target.deps.db.primary.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM students WHERE id LIKE 'enrolled\\_%'`);
  return rows[0]!.n;
}

test('bulk enrolment: 100 students in one transaction; one bad row writes nothing', async () => {
  const students = Array.from({ length: 100 }, (_, i) => ({ name: `Student ${i}`, grade: i % 12, schoolId: 'test-school' }));
  const before = await countStudents();
  const ok = await call('/schools/bulk-enroll', { json: { students } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.created, 100);
  assert.equal(await countStudents(), before + 100);

  const unknownSchool = students.map((s, i) => (i === 73 ? { ...s, schoolId: 'no-such-school' } : s));
  const rejected = await call('/schools/bulk-enroll', { json: { students: unknownSchool } });
  assert.equal(rejected.status, 422);
  assert.equal(rejected.body.error, 'unknown_school');
  assert.equal(await countStudents(), before + 100, 'the 99 good rows were not written either');

  const badGrade = students.map((s, i) => (i === 50 ? { ...s, grade: 'ten' } : s));
  const invalid = await call('/schools/bulk-enroll', { json: { students: badGrade } });
  assert.equal(invalid.status, 400);
  assert.ok(invalid.body.error && invalid.body.message);
  assert.equal(await countStudents(), before + 100);
});

test('unknown sessions and jobs answer 404; bad JSON and wrong types 400, with {error, message}', async () => {
  for (const path of [`/sessions/${randomUUID()}/content`, '/sessions/undefined/content', `/reports/${randomUUID()}`, '/reports/nope']) {
    const r = await call(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error, 'not_found');
    assert.ok(r.body.message);
  }
  const interact = await call(`/sessions/${randomUUID()}/interact`, { json: { type: 'answer', data: {} } });
  assert.equal(interact.status, 404);
  const badJson = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"studentId":' });
  assert.equal(badJson.status, 400);
  const badJsonBody = (await badJson.json()) as { error: string; message: string };
  assert.equal(badJsonBody.error, 'bad_request');
  assert.ok(badJsonBody.message);
  const wrongType = await call('/students/s1/careers/select', { json: { careerId: 42 } });
  assert.equal(wrongType.status, 400);
  const unknownCareer = await call('/students/s1/careers/select', { json: { careerId: 'no-such-career' } });
  assert.equal(unknownCareer.status, 404);
  assert.equal(unknownCareer.body.error, 'career_not_found');
  const { rows } = await lab.target.deps.db.primary.pool.query(
    `SELECT (SELECT count(*) FROM learning_sessions WHERE student_id = 's1') + (SELECT count(*) FROM students WHERE id = 's1') AS n`);
  assert.equal(Number(rows[0]!.n), 0, 'a failed selection writes nothing: no session, not even the student');
  assert.equal((await call('/students/bad id!/flow-state')).status, 400);
  const badRange = await call('/reports/generate', { json: { type: 'x', studentIds: ['a'], dateRange: { start: '2024-02-01', end: 'yesterday' } } });
  assert.equal(badRange.status, 400);
});

test('login issues an opaque token kept in Redis for the session TTL (900 s)', async () => {
  const r = await call('/auth/login', { json: { studentId: 'login_student', password: 'irrelevant' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.studentId, 'login_student');
  assert.equal(r.body.expiresIn, 900);
  const ttl = await lab.target.deps.cache.cluster.ttl(`token:${r.body.token}`);
  assert.ok(ttl > 890 && ttl <= 900, `ttl ${ttl}`);
});

test('reports: generate answers queued with a jobId at once, the job finishes in the background', async () => {
  const r = await call('/reports/generate', {
    json: { type: 'comprehensive', studentIds: ['volume_test_1', 'volume_test_2', ...Array.from({ length: 500 }, (_, i) => `student_${i}`)], dateRange: { start: '2000-01-01', end: '2100-12-31' } },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'queued');
  let job: any;
  for (let i = 0; i < 100; i++) {
    job = (await call(`/reports/${r.body.jobId}`)).body;
    if (job.status === 'done' || job.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(job.status, 'done');
  assert.equal(job.result.students, 2);
  assert.equal(job.result.selections, 2400);
});

function multipart(bytes: number): { body: Buffer; contentType: string; sha256: string } {
  const file = Buffer.alloc(bytes, 7);
  const boundary = `----perflab${randomUUID()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, sha256: createHash('sha256').update(file).digest('hex') };
}

test('uploads: 1 MB and exactly 10 MiB are accepted with their sha256; one byte more is 413', async () => {
  for (const size of [1024 * 1024, 10 * 1024 * 1024]) {
    const m = multipart(size);
    const r = await call('/uploads', { method: 'POST', body: m.body, headers: { 'content-type': m.contentType } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.bytes, size);
    assert.equal(r.body.sha256, m.sha256);
    assert.ok(r.body.uploadId);
  }
  const tooBig = multipart(10 * 1024 * 1024 + 1);
  const r = await call('/uploads', { method: 'POST', body: tooBig.body, headers: { 'content-type': tooBig.contentType } });
  assert.equal(r.status, 413);
  assert.equal(r.body.error, 'file_too_large');
  const notMultipart = await call('/uploads', { json: { file: 'x' } });
  assert.equal(notMultipart.status, 400);
});

test('server-sent events: progress events with sentAt, the first one at once', async () => {
  const controller = new AbortController();
  const response = await fetch(`${base}/events/progress?studentId=sse_student`, { signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /text\/event-stream/);
  const reader = response.body!.getReader();
  let text = '';
  while ((text.match(/\n\n/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  const events = text.split('\n\n').filter((e) => e.includes('event: progress'));
  assert.ok(events.length >= 2);
  const data = JSON.parse(events[0]!.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
  assert.equal(data.studentId, 'sse_student');
  assert.ok(Math.abs(Date.now() - data.sentAt) < 5000);
});

test('WebSocket classroom: a message reaches every member with serverAt; student.progress is pushed', async () => {
  const url = `${lab.target.url.replace('http', 'ws')}/api/v1/ws/classroom?room=r${process.pid}`;
  const open = (ws: WebSocket) => new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const [a, b] = [new WebSocket(url), new WebSocket(url)];
  await Promise.all([open(a), open(b)]);
  const next = (ws: WebSocket, type: string) =>
    new Promise<any>((resolve) => {
      const onMessage = (raw: WebSocket.RawData) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type === type) {
          ws.off('message', onMessage);
          resolve(msg);
        }
      };
      ws.on('message', onMessage);
    });
  const gotA = next(a, 'classroom.update');
  const gotB = next(b, 'classroom.update');
  const sentAt = Date.now();
  a.send(JSON.stringify({ type: 'classroom.update', payload: { slide: 3 }, sentAt }));
  const [ma, mb] = await Promise.all([gotA, gotB]);
  for (const m of [ma, mb]) {
    assert.equal(m.sentAt, sentAt);
    assert.deepEqual(m.payload, { slide: 3 });
    assert.ok(m.serverAt >= sentAt);
  }
  const progress = await next(b, 'student.progress');
  assert.ok(progress.sentAt && progress.serverAt && progress.payload.seq >= 1);
  const error = next(a, 'error');
  a.send('not json');
  assert.match((await error).message, /JSON/);
  a.close();
  b.close();
});

test('rate limiting answers 429 with Retry-After; injected latency slows /api/v1 but not health', async () => {
  const other = await startTarget(configFromEnv(targetEnv(lab.tier, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', TARGET_INJECT_LATENCY_MS: '150' })));
  extraTargets.push(other);
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const r = await fetch(`${other.url}/api/v1/status`);
    if (r.status === 200) assert.ok(performance.now() - started >= 150, 'injected latency');
    statuses.push(r.status);
    if (r.status === 429) limited = r;
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.ok(Number(limited!.headers.get('retry-after')) > 0);
  const body = (await limited!.json()) as { error: string; message: string };
  assert.equal(body.error, 'rate_limited');
  await other.close();
  const fast = await startTarget(configFromEnv(targetEnv(lab.tier, { TARGET_INJECT_LATENCY_MS: '300' })));
  extraTargets.push(fast);
  const started = performance.now();
  assert.equal((await fetch(`${fast.url}/api/v1/health`)).status, 200);
  assert.ok(performance.now() - started < 300, 'health is never slowed');
  await fast.close();
});

test('migrations and seed are idempotent; the guidelines §5.2 indexes exist and serve the history query', async () => {
  const url = lab.tier.postgres.primaryUrl;
  const seedOptions = { students: 200, volumeStudents: 2, historyPerVolumeStudent: 1200, recentSelections: 300, schools: 5 };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const countOf = async (table: string) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    const before = { careers: await countOf('careers'), content: await countOf('content'), volume: await countOf(`career_history WHERE student_id = 'volume_test_1'`) };
    assert.deepEqual(await migrate(url), [], 'nothing left to apply');
    await seed(url, seedOptions);
    assert.deepEqual(
      { careers: await countOf('careers'), content: await countOf('content'), volume: await countOf(`career_history WHERE student_id = 'volume_test_1'`) },
      before,
    );
    assert.equal(before.volume, 1200);
    const { rows } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
    const names = rows.map((r) => r.indexname);
    for (const name of ['idx_career_selections_student_date', 'idx_sessions_student_active', 'idx_content_career_grade']) assert.ok(names.includes(name), name);
    // (In this small test database a volume student owns 40 % of the table, where a sequential
    // scan is the right plan; an ordinary student shows the index at work.)
    const plan = await client.query(
      `EXPLAIN SELECT id FROM career_history WHERE student_id = 'student_seed_7' ORDER BY selected_date DESC, id DESC LIMIT 51`,
    );
    assert.match(JSON.stringify(plan.rows), /idx_career_history_student_date/);
  } finally {
    await client.end();
  }
});

test('graceful shutdown (SIGTERM to main.ts): the in-flight write finishes, then the process exits 0', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...targetEnv(lab.tier, { PORT: '0', TARGET_INJECT_LATENCY_MS: '400', LOG_LEVEL: 'info' }) };
  delete env.NODE_TEST_CONTEXT; // the service is not a test
  const child = spawn(process.execPath, [...TARGET_NODE_ARGS], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: new URL('../..', import.meta.url).pathname });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited ${code}: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const inFlight = fetch(`${url}/api/v1/students/shutdown_student/careers/select`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ careerId: 'g2-farmer' }),
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGTERM');
  const response = await inFlight;
  assert.equal(response.status, 200);
  const { sessionId } = (await response.json()) as { sessionId: string };
  assert.equal(await exited, 0);
  const { rows } = await lab.target.deps.db.primary.pool.query('SELECT 1 FROM learning_sessions WHERE id = $1', [sessionId]);
  assert.equal(rows.length, 1, 'the write of the in-flight request is committed');
});

test('a replica or a Redis primary stopped mid-test degrades health, requests still succeed; the primary down is unhealthy (503)', async () => {
  const healthy = await call('/health');
  assert.equal(healthy.status, 200);
  assert.equal(healthy.body.status, 'healthy', JSON.stringify(healthy.body.checks));
  assert.equal(healthy.body.checks.replicas.length, 2);

  await lab.tier.postgres.replicas[0]!.stop();
  for (let i = 0; i < 10; i++) {
    const r = await call(`/students/volume_test_1/career-history?limit=3&n=${i}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.items.length, 3);
  }
  assert.equal((await call('/students/dashboard')).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // health is recomputed at most once a second
  const degraded = await call('/health');
  assert.equal(degraded.status, 200);
  assert.equal(degraded.body.status, 'degraded');
  assert.deepEqual(degraded.body.checks.replicas.map((r: { ok: boolean }) => r.ok), [false, true]);

  // A Redis primary down: the cache fails open (misses), requests still succeed, health degraded.
  await lab.tier.redis.members[0]!.stop();
  for (let limit = 1; limit <= 6; limit++) {
    const r = await call(`/careers/trending?limit=${limit}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.careers.length, limit);
  }
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const redisDown = await call('/health');
  assert.equal(redisDown.status, 200);
  assert.equal(redisDown.body.status, 'degraded');
  assert.equal(redisDown.body.checks.redis.ok, false, JSON.stringify(redisDown.body.checks.redis));

  await lab.tier.postgres.primary.stop();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const down = await call('/health');
  assert.equal(down.status, 503);
  assert.equal(down.body.status, 'unhealthy');
  assert.equal(down.body.checks.primary.ok, false);
});
