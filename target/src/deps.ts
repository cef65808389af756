// What every route needs, handed to the route modules by the server.

import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/database.ts';
import type { Cache } from './cache.ts';
import type { TargetMetrics } from './metrics.ts';
import type { TargetConfig } from './config.ts';

export interface Deps {
  db: Database;
  cache: Cache;
  metrics: TargetMetrics;
  config: TargetConfig;
  log: FastifyBaseLogger;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** db / cache time of this request, sent back in Server-Timing. */
    timing: import('./timing.ts').RequestTiming;
  }
}
