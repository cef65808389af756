// The target service: the student / career platform API of the guidelines, on Postgres (writes
// on the primary, reads on the replicas) and a Redis cluster (cache-aside). `startTarget` is the
// programmatic entry (tests, the local lab); main.ts is the container's.

import { hostname } from 'node:os';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { TARGET_API } from './version.ts';
import { Cache } from './cache.ts';
import type { TargetConfig } from './config.ts';
import { Database } from './db/database.ts';
import type { Deps } from './deps.ts';
import { HttpError } from './errors.ts';
import { createMetrics } from './metrics.ts';
import { ReportJobs } from './reports.ts';
import { catalogueRoutes } from './routes/catalogue.ts';
import { jobRoutes, MAX_UPLOAD_BYTES } from './routes/jobs.ts';
import { opsRoutes } from './routes/ops.ts';
import { RealtimeHub, realtimeRoutes } from './routes/realtime.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { studentRoutes } from './routes/students.ts';
import { webRoutes } from './routes/web.ts';
import { RequestTiming } from './timing.ts';
import { useStrictBodyValidation } from './validation.ts';

export interface RunningTarget {
  url: string;
  app: FastifyInstance;
  deps: Deps;
  /** graceful: stop accepting, end streams, finish in-flight requests and jobs, close pools. */
  close: () => Promise<void>;
}

/** Requests slower than this are logged at warn (guidelines §4.1 "Slow request detected"). */
const SLOW_REQUEST_MS = 2000;
const POD_NAME = hostname();

function errorBody(err: FastifyError | HttpError): { status: number; body: { error: string; message: string } } {
  if (err instanceof HttpError) return { status: err.statusCode, body: { error: err.code, message: err.message } };
  const e = err as FastifyError & { code?: string };
  if (e.validation) return { status: 400, body: { error: 'bad_request', message: e.message } };
  const status = e.statusCode ?? 500;
  if (status === 413) return { status, body: { error: 'file_too_large', message: `request body is larger than allowed (uploads: ${MAX_UPLOAD_BYTES} bytes)` } };
  if (status === 429) return { status, body: { error: 'rate_limited', message: e.message } };
  if (status === 415) return { status, body: { error: 'unsupported_media_type', message: e.message } };
  if (status >= 400 && status < 500) return { status, body: { error: 'bad_request', message: e.message } };
  return { status: 500, body: { error: 'internal', message: 'internal error; see the service log' } };
}

export async function startTarget(config: TargetConfig): Promise<RunningTarget> {
  const app = Fastify({
    logger: { level: config.logLevel },
    // Per-request logs would cost more CPU than a cached request itself; slow and failed
    // requests are logged in onResponse instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });
  const metrics = createMetrics();
  const db = new Database({
    primaryUrl: config.primaryUrl,
    replicaUrls: config.replicaUrls,
    poolMax: config.poolMax,
    metrics,
    onPoolError: (pool, err) => app.log.warn({ pool, err: err.message }, 'database connection lost'),
  });
  const cache = new Cache({ nodes: config.redisNodes, password: config.redisPassword, metrics });
  const deps: Deps = { db, cache, metrics, config, log: app.log };
  const reports = new ReportJobs(db, 2, (err) => app.log.error({ err: err.message }, 'report job failed'));
  const hub = new RealtimeHub(config.realtimeIntervalMs, deps);

  useStrictBodyValidation(app);
  // No pino child logger per request (a measurable share of a cached read): request.log is the
  // service's logger; the few lines logged per request carry the URL themselves.
  app.setChildLoggerFactory((logger) => logger);
  let closing = false;
  app.decorateRequest('timing', null as unknown as RequestTiming);
  // Hooks in callback style (no promise per hook per request): this is the hot path of every
  // cached read.
  const injected = config.injectLatencyMs;
  app.addHook('onRequest', (request, _reply, done) => {
    request.timing = new RequestTiming();
    if (injected > 0 && request.url.startsWith('/api/v1/') && !request.url.startsWith('/api/v1/health')) {
      setTimeout(done, injected);
    } else {
      done();
    }
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('Server-Timing', request.timing.header());
    reply.header('X-Pod-Name', POD_NAME);
    // While draining, keep-alive connections are closed after their response, so close() ends.
    if (closing) reply.header('Connection', 'close');
    done(null, payload);
  });
  // One histogram child per (method, route, status), found by a string key instead of hashing
  // a label object on every request.
  const durationByLabels = new Map<string, ReturnType<typeof metrics.httpDuration.labels>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let child = durationByLabels.get(key);
    if (!child) {
      child = metrics.httpDuration.labels(request.method, route, String(reply.statusCode));
      durationByLabels.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    if (reply.elapsedTime > SLOW_REQUEST_MS) {
      app.log.warn({ method: request.method, url: request.url, ms: Math.round(reply.elapsedTime) }, 'slow request');
    }
    done();
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = errorBody(err);
    if (status >= 500) request.log.error({ err, url: request.url }, 'request failed');
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    allowList: (request) => request.url === '/metrics',
    // No x-ratelimit-* headers on every answer (they cost more than they tell a load test);
    // a 429 still carries Retry-After.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) => {
      const err = new Error(`rate limit of ${context.max} requests per ${context.after} exceeded; retry after ${context.after}`) as Error & { statusCode: number };
      err.statusCode = 429;
      return err;
    },
  });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  opsRoutes(app, deps, TARGET_API.version);
  webRoutes(app, config);
  await app.register(
    async (api) => {
      studentRoutes(api, deps);
      sessionRoutes(api, deps);
      catalogueRoutes(api, deps);
      jobRoutes(api, deps, reports);
      realtimeRoutes(api, deps, hub);
    },
    { prefix: '/api/v1' },
  );
  app.addHook('preClose', async () => {
    closing = true;
    hub.closeAll();
  });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let shutdown: Promise<void> | undefined;
  const close = () =>
    (shutdown ??= (async () => {
      await app.close();
      await reports.drain();
      await Promise.all([db.close(), cache.close()]);
    })());
  return { url: `http://${host}:${port}`, app, deps, close };
}
