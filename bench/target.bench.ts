// The target service's throughput on this machine, against the real local data tier:
//  - a bare Fastify route answering the same JSON from memory (the ceiling: what Node + Fastify
//    + HTTP cost before any of the service's work),
//  - a cached read (GET /api/v1/careers/trending: Redis hit, hooks, metrics, rate limit),
//  - the full career-selection flow (pool -> select (transaction on the primary) -> content),
// each at its peak (closed loop, many connections), then the cached read at 80 % of its peak
// rate for its p95. Bare and cached alternate over 2 rounds; the best round of each counts. Goal: cached read >= 50 % of the bare route, p95 < 20 ms at 80 % of peak.
// Servers run as their own processes; autocannon (the load) runs here.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startDataTier } from '../lab/local/dataTier.ts';
import { freePort } from '../lab/local/ports.ts';
import { Supervisor } from '../lab/process/supervisor.ts';
import { migrate } from '../target/src/db/migrate.ts';
import { seed } from '../target/src/db/seed.ts';
import { targetEnv } from '../lab/local/targetOnDataTier.ts';
import { TARGET_NODE_ARGS } from '../target/src/nodeFlags.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const WARMUP_S = 3;
const MEASURE_S = 10;
const CONNECTIONS = 32;
const ROUNDS = 2;

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** CPU time (user + system) of processes so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // process gone
    }
  }
  return ticks * 10;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function load(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(options, (err, result) => {
      if (err) return reject(err);
      latencies.sort((a, b) => a - b);
      resolve({
        requestsPerSecond: round(result.requests.total / (result.duration || Number(options.duration)), 0),
        p50Ms: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
        p99Ms: round(percentile(latencies, 99)),
        requests: result.requests.total,
        errors: result.errors,
        non2xx: result.non2xx,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/**
 * A warm-up (JIT, pools, caches), then the measured run, with the CPU the server (and Redis)
 * spent per request: unlike req/s, that figure does not move when other work shares the cores.
 */
async function measure(options: autocannon.Options, server: number[], redis: number[] = []): Promise<LoadResult & { serverCpuUsPerRequest: number; redisCpuUsPerRequest?: number }> {
  await load({ ...options, duration: WARMUP_S });
  const [server0, redis0] = [cpuMs(server), cpuMs(redis)];
  const result = await load({ ...options, duration: MEASURE_S });
  const perRequest = (ms: number) => round((ms * 1000) / Math.max(result.requests, 1), 1);
  return {
    ...result,
    serverCpuUsPerRequest: perRequest(cpuMs(server) - server0),
    ...(redis.length ? { redisCpuUsPerRequest: perRequest(cpuMs(redis) - redis0) } : {}),
  };
}

async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function careerFlow(): autocannon.Request[] {
  let counter = 0;
  type Ctx = { student?: string; careerId?: string; sessionId?: string };
  return [
    {
      method: 'GET',
      setupRequest: (req, context: Ctx) => {
        context.student = `bench_${process.pid}_${counter++}`;
        return { ...req, path: `/api/v1/students/${context.student}/careers/pool` };
      },
      onResponse: (status, body, context: Ctx) => {
        if (status === 200) context.careerId = (JSON.parse(body) as { careers: { id: string }[] }).careers[0]!.id;
      },
    },
    {
      method: 'POST',
      setupRequest: (req, context: Ctx) => ({
        ...req,
        path: `/api/v1/students/${context.student}/careers/select`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ careerId: context.careerId }),
      }),
      onResponse: (status, body, context: Ctx) => {
        if (status === 200) context.sessionId = (JSON.parse(body) as { sessionId: string }).sessionId;
      },
    },
    {
      method: 'GET',
      setupRequest: (req, context: Ctx) => ({ ...req, path: `/api/v1/sessions/${context.sessionId}/content` }),
    },
  ];
}

/** Selects every career once (a warm-up student each) and fetches its content: 8 at a time. */
async function warmContent(target: string, primaryUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  const ids = (await client.query<{ id: string }>('SELECT id FROM careers ORDER BY id')).rows.map((r) => r.id);
  await client.end();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const careerId = ids[next++]!;
      const selected = await fetch(`${target}/api/v1/students/warmup_${careerId}/careers/select`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ careerId }),
      });
      const { sessionId } = (await selected.json()) as { sessionId: string };
      await (await fetch(`${target}/api/v1/sessions/${sessionId}/content`)).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids.length;
}

async function contentCacheCounts(target: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${target}/metrics`)).text();
  const value = (result: string) =>
    Number(text.split('\n').find((l) => l.startsWith('target_cache_requests_total{') && l.includes('cache="generatedContent"') && l.includes(`result="${result}"`))?.split(' ').pop() ?? 0);
  return { hit: value('hit'), miss: value('miss') };
}

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'perflab-target-bench-'));
  const supervisor = new Supervisor(stateDir);
  try {
    const tier = await startDataTier({ stateDir, supervisor, log });
    await migrate(tier.postgres.primaryUrl);
    const counts = await seed(tier.postgres.primaryUrl, { students: 2000, volumeStudents: 10 });
    log(`seeded ${JSON.stringify(counts)}`);

    const targetPort = await freePort();
    const targetProc = supervisor.start('target-api', process.execPath, [...TARGET_NODE_ARGS], {
      cwd: repoRoot,
      env: { ...process.env, ...targetEnv(tier, { PORT: String(targetPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }) },
    });
    const target = `http://127.0.0.1:${targetPort}`;
    await waitFor(`${target}/api/v1/status`);
    const trendingBody = await (await fetch(`${target}/api/v1/careers/trending`)).text();

    // The ceiling: the same JSON from memory on a bare Fastify route, same Node, own process.
    const barePort = await freePort();
    const bareServer = `import Fastify from 'fastify';
const body = JSON.parse(process.env.BODY);
const app = Fastify({ logger: false });
app.get('/bare', async () => body);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;
    const bareProc = supervisor.start('bare-fastify', process.execPath, ['--input-type=module', '-e', bareServer], {
      cwd: repoRoot,
      env: { ...process.env, PORT: String(barePort), BODY: trendingBody },
    });
    const bare = `http://127.0.0.1:${barePort}`;
    await waitFor(`${bare}/bare`);

    // Bare and cached alternate, so both see the same machine (other work on 2 cores moves
    // the absolute numbers; the ratio is the figure that matters).
    const redisPids = supervisor.processes.filter((p) => p.name.startsWith('redis')).map((p) => p.pid);
    type Measured = Awaited<ReturnType<typeof measure>>;
    const bareRounds: Measured[] = [];
    const cachedRounds: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await measure({ url: `${bare}/bare`, connections: CONNECTIONS }, [bareProc.pid]));
      log(`bare Fastify route: ${bareRounds.at(-1)!.requestsPerSecond} req/s, p95 ${bareRounds.at(-1)!.p95Ms} ms, ${bareRounds.at(-1)!.serverCpuUsPerRequest} µs CPU/req`);
      cachedRounds.push(await measure({ url: `${target}/api/v1/careers/trending`, connections: CONNECTIONS }, [targetProc.pid], redisPids));
      log(`cached read (trending): ${cachedRounds.at(-1)!.requestsPerSecond} req/s, p95 ${cachedRounds.at(-1)!.p95Ms} ms, ${cachedRounds.at(-1)!.serverCpuUsPerRequest} µs CPU/req (+ Redis ${cachedRounds.at(-1)!.redisCpuUsPerRequest})`);
    }
    const best = (rounds: Measured[]) => rounds.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const bareRoute = best(bareRounds);
    const cachedRead = best(cachedRounds);
    const rate80 = Math.floor(cachedRead.requestsPerSecond * 0.8);
    const cachedAt80 = await measure({ url: `${target}/api/v1/careers/trending`, connections: CONNECTIONS, overallRate: rate80 }, [targetProc.pid], redisPids);
    log(`cached read at 80 % of peak (${rate80} req/s): ${cachedAt80.requestsPerSecond} req/s, p95 ${cachedAt80.p95Ms} ms`);
    // Steady state: content generated once per career (as a long run reaches within minutes);
    // the cost of a miss is what the content-generation SLA measures, not this figure.
    const warmStarted = Date.now();
    const careerIds = await warmContent(target, tier.postgres.primaryUrl);
    log(`content of ${careerIds} careers generated in ${Date.now() - warmStarted} ms (warm-up)`);
    const contentBefore = await contentCacheCounts(target);
    const flow = await measure({ url: target, connections: 16, requests: careerFlow() }, [targetProc.pid]);
    const contentAfter = await contentCacheCounts(target);
    const contentHitRatio = round((contentAfter.hit - contentBefore.hit) / Math.max(1, contentAfter.hit + contentAfter.miss - contentBefore.hit - contentBefore.miss), 3);
    log(`career-selection flow: ${round(flow.requestsPerSecond / 3, 0)} flows/s (${flow.requestsPerSecond} req/s), p95 ${flow.p95Ms} ms per request`);

    // The request's "< 150 MB under peak load" is judged on the resident set, after all of the above.
    const memoryAfterLoad = (await (await fetch(`${target}/api/v1/metrics/memory`)).json()) as Record<string, number>;
    log(`target memory after the runs: rss ${memoryAfterLoad.rss} MB, heap ${memoryAfterLoad.heapUsed} / ${memoryAfterLoad.heapTotal} MB`);
    const cachedVsBare = round(cachedRead.requestsPerSecond / bareRoute.requestsPerSecond, 3);
    return {
      setup: { connections: CONNECTIONS, warmupSeconds: WARMUP_S, measureSeconds: MEASURE_S, loadGenerator: 'autocannon 9 (same host)', seeded: counts },
      bareRoute: { ...bareRoute, roundsRequestsPerSecond: bareRounds.map((r) => r.requestsPerSecond) },
      cachedRead: { ...cachedRead, roundsRequestsPerSecond: cachedRounds.map((r) => r.requestsPerSecond) },
      cachedReadAt80PercentOfPeak: { targetRate: rate80, ...cachedAt80 },
      memoryAfterLoadMb: memoryAfterLoad,
      careerSelectionFlow: { flowsPerSecond: round(flow.requestsPerSecond / 3, 0), contentHitRatio, ...flow },
      goals: {
        cachedReadVsBare: cachedVsBare,
        cachedReadVsBareGoal: '>= 0.5',
        cachedReadVsBareMet: cachedVsBare >= 0.5,
        // the same comparison in CPU per request (robust to other work on the machine)
        cachedReadCpuVsBare: round(bareRoute.serverCpuUsPerRequest / (cachedRead.serverCpuUsPerRequest + (cachedRead.redisCpuUsPerRequest ?? 0)), 3),
        p95At80PercentMs: cachedAt80.p95Ms,
        p95At80PercentGoal: '< 20 ms',
        p95At80PercentMet: cachedAt80.p95Ms < 20,
      },
    };
  } finally {
    await supervisor.stopAll();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
