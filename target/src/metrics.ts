// The service's Prometheus metrics, one registry per server instance (tests start several).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface TargetMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  cacheRequests: Counter<'cache' | 'result'>;
  dbQueries: Counter<'pool' | 'kind'>;
  dbPoolConnections: Gauge<'pool' | 'state'>;
  contentGeneration: Histogram<string>;
  realtimeConnections: Gauge<'channel'>;
  healthStatus: Gauge<'status'>;
}

export function createMetrics(): TargetMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'target_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'target_cache_requests_total',
      help: 'Cache-aside lookups by cache and result (hit, miss, error)',
      labelNames: ['cache', 'result'],
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'target_db_queries_total',
      help: 'Queries by pool (primary, replica-N) and kind (read, write)',
      labelNames: ['pool', 'kind'],
      registers: [registry],
    }),
    dbPoolConnections: new Gauge({
      name: 'target_db_pool_connections',
      help: 'Connections per pool by state (total, idle, waiting clients)',
      labelNames: ['pool', 'state'],
      registers: [registry],
    }),
    contentGeneration: new Histogram({
      name: 'target_content_generation_seconds',
      help: 'CPU time of content generation on a cache miss',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    realtimeConnections: new Gauge({
      name: 'target_realtime_connections',
      help: 'Open SSE streams and WebSocket connections',
      labelNames: ['channel'],
      registers: [registry],
    }),
    healthStatus: new Gauge({
      name: 'target_health_status',
      help: 'The health check of /api/v1/health, computed at every scrape: 1 for the current status (healthy, degraded, unhealthy), 0 for the others',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}
