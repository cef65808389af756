// The service's configuration, read from the environment only (12-factor: the chart and the local
// lab set env vars, nothing else). Pure: takes an env object, returns a checked config or throws an
// error naming the bad variable and what would be valid.

export interface TargetConfig {
  port: number;
  host: string;
  primaryUrl: string;
  /** read replicas; empty means every read goes to the primary. */
  replicaUrls: string[];
  /** per pool (the primary and each replica). */
  poolMax: number;
  redisNodes: { host: string; port: number }[];
  redisPassword?: string;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  injectLatencyMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** interval of SSE progress events and WebSocket student.progress pushes. */
  realtimeIntervalMs: number;
  /** the web front end (/app) with a bloated bundle and larger images: breaks the performance budget. */
  webInflate: boolean;
  /** the web front end renders each page's content this much later (a slow client-side render). */
  webRenderDelayMs: number;
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  poolMax: 20, // guidelines §5.3 connection pooling: max 20
  // Generous: a load test from one address must not be throttled unless asked to be.
  rateLimitMax: 6_000_000, // 100 000 requests/s per client address
  rateLimitWindowMs: 60_000,
  injectLatencyMs: 0,
  logLevel: 'info',
  realtimeIntervalMs: 1000,
  webInflate: false,
  webRenderDelayMs: 0,
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected true or false`);
}

function postgresUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a URL: expected postgres://user:password@host:port/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`${name} has protocol ${url.protocol}: expected postgres:// or postgresql://`);
  }
  return raw;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The primary URL with another host[:port] (a replica behind a `-ro` service shares credentials). */
function withHost(primaryUrl: string, hostPort: string): string {
  const url = new URL(primaryUrl);
  const [host, port] = hostPort.split(':');
  url.hostname = host!;
  url.port = port ?? url.port;
  return url.toString();
}

export function configFromEnv(env: NodeJS.ProcessEnv): TargetConfig {
  const primaryRaw = env.DATABASE_PRIMARY_URL;
  if (!primaryRaw) throw new Error('DATABASE_PRIMARY_URL is required: postgres://user:password@host:port/database');
  const primaryUrl = postgresUrl('DATABASE_PRIMARY_URL', primaryRaw);
  const replicaUrls = [
    ...list(env.DATABASE_REPLICA_URLS).map((u, i) => postgresUrl(`DATABASE_REPLICA_URLS[${i}]`, u)),
    ...list(env.DATABASE_REPLICA_HOSTS).map((h) => withHost(primaryUrl, h)),
  ];
  const nodes = list(env.REDIS_NODES);
  if (nodes.length === 0) throw new Error('REDIS_NODES is required: comma-separated host:port of the Redis cluster nodes');
  const redisNodes = nodes.map((node, i) => {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(node);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new Error(`REDIS_NODES[${i}]=${JSON.stringify(node)} is invalid: expected host:port`);
    }
    return { host: match[1]!, port: Number(match[2]) };
  });
  const logLevel = (env.LOG_LEVEL ?? DEFAULTS.logLevel) as TargetConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    port: int(env, 'PORT', DEFAULTS.port, 0, 65535),
    host: env.HOST || DEFAULTS.host,
    primaryUrl,
    replicaUrls,
    poolMax: int(env, 'DATABASE_POOL_MAX', DEFAULTS.poolMax, 1, 1000),
    redisNodes,
    redisPassword: env.REDIS_PASSWORD || undefined,
    rateLimitMax: int(env, 'RATE_LIMIT_MAX', DEFAULTS.rateLimitMax, 1, 1_000_000_000),
    rateLimitWindowMs: int(env, 'RATE_LIMIT_WINDOW_MS', DEFAULTS.rateLimitWindowMs, 1, 86_400_000),
    injectLatencyMs: int(env, 'TARGET_INJECT_LATENCY_MS', DEFAULTS.injectLatencyMs, 0, 600_000),
    logLevel,
    realtimeIntervalMs: int(env, 'REALTIME_INTERVAL_MS', DEFAULTS.realtimeIntervalMs, 10, 60_000),
    webInflate: bool(env, 'TARGET_WEB_INFLATE', DEFAULTS.webInflate),
    webRenderDelayMs: int(env, 'TARGET_WEB_RENDER_DELAY_MS', DEFAULTS.webRenderDelayMs, 0, 60_000),
  };
}
