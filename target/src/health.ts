// The health verdict of /api/v1/health from its checks. Pure, so the rules are tested alone:
// the primary down = unhealthy (writes fail); a replica down, the Redis cluster not fully up or a
// saturated pool = degraded (requests still succeed, slower or uncached); otherwise healthy.

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthChecks {
  primary: { ok: boolean };
  replicas: { ok: boolean }[];
  redis: { ok: boolean };
  pool: { saturated: boolean };
}

export function healthStatus(checks: HealthChecks): HealthStatus {
  if (!checks.primary.ok) return 'unhealthy';
  if (checks.replicas.some((r) => !r.ok) || !checks.redis.ok || checks.pool.saturated) return 'degraded';
  return 'healthy';
}
