// Operations endpoints: health (healthy / degraded / unhealthy), status, memory, Prometheus.

import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { healthStatus, type HealthStatus } from '../health.ts';

const HEALTH_STATUSES: readonly HealthStatus[] = ['healthy', 'degraded', 'unhealthy'];

const MB = 1024 * 1024;
const round1 = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/** Health is computed at most this often: a stress test polling /health must not flood the DB. */
const HEALTH_TTL_MS = 1000;

export function opsRoutes(app: FastifyInstance, deps: Deps, version: string): void {
  let last: { at: number; body: Promise<{ status: HealthStatus; checks: unknown }> } | undefined;

  const computeHealth = async () => {
    const [db, redis] = await Promise.all([deps.db.check(), deps.cache.check()]);
    const pools = deps.db.poolStats();
    const waiting = pools.reduce((sum, p) => sum + p.waiting, 0);
    const pool = {
      saturated: waiting > 0,
      total: pools.reduce((sum, p) => sum + p.total, 0),
      idle: pools.reduce((sum, p) => sum + p.idle, 0),
      waiting,
      pools,
    };
    const checks = { primary: db.primary, replicas: db.replicas, redis, pool };
    return { status: healthStatus(checks), checks };
  };

  let lastStatus: HealthStatus | undefined;
  const health = () => {
    if (!last || Date.now() - last.at > HEALTH_TTL_MS) {
      last = { at: Date.now(), body: computeHealth() };
      last.body.then((b) => { lastStatus = b.status; }, () => {});
    }
    return last.body;
  };

  app.get('/api/v1/health', async (_request, reply) => {
    const body = await health();
    reply.code(body.status === 'unhealthy' ? 503 : 200);
    return body;
  });

  const started = Date.now();
  app.get('/api/v1/status', async () => ({ status: 'ok', version, uptimeSeconds: Math.round((Date.now() - started) / 1000) }));

  app.get('/api/v1/metrics/memory', async () => {
    const m = process.memoryUsage();
    return { heapUsed: round1(m.heapUsed), heapTotal: round1(m.heapTotal), rss: round1(m.rss), external: round1(m.external) };
  });

  app.get('/metrics', async (_request, reply) => {
    // every scrape is a health probe: the lab's availability SLA counts the scrapes that found the
    // service healthy or degraded (a failed scrape counts as down). The scrape starts a check (at
    // most one a second, shared with /api/v1/health) and reports the last one finished, so it never
    // waits on the database: a stall shows one scrape later, as unhealthy or degraded.
    health().catch(() => {});
    const status = lastStatus;
    for (const s of HEALTH_STATUSES) deps.metrics.healthStatus.set({ status: s }, s === status ? 1 : 0);
    for (const p of deps.db.poolStats()) {
      deps.metrics.dbPoolConnections.set({ pool: p.name, state: 'total' }, p.total);
      deps.metrics.dbPoolConnections.set({ pool: p.name, state: 'idle' }, p.idle);
      deps.metrics.dbPoolConnections.set({ pool: p.name, state: 'waiting' }, p.waiting);
    }
    reply.header('Content-Type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
