// Cache-aside in the Redis cluster, with the TTLs of the guidelines' caching section (§5.1).
//
// The cache never takes the service down: a cache error counts as a miss and the value is loaded
// from the database. Concurrent misses for one key in one process share a single load, so a
// burst on a cold key (trending careers at the start of a spike) costs one query, not hundreds.

import { Cluster } from 'ioredis';
import type { RequestTiming } from './timing.ts';
import type { TargetMetrics } from './metrics.ts';

/** Guidelines §5.1 "L3: Application cache (Redis)", in seconds. */
export const CACHE_TTL_SECONDS = {
  sessionData: 900,
  careerPools: 3600,
  generatedContent: 86400,
  pathIQAnalysis: 300,
} as const;
export type CacheName = keyof typeof CACHE_TTL_SECONDS;

/**
 * Keys of one student share a hash tag, so they live in one slot and can be deleted together.
 */
export const cacheKeys = {
  careerPool: (studentId: string) => `{student:${studentId}}:careerPool`,
  flowState: (studentId: string) => `{student:${studentId}}:flowState`,
  session: (sessionId: string) => `session:${sessionId}`,
  token: (token: string) => `token:${token}`,
  content: (careerId: string, gradeLevel: number) => `content:${careerId}:${gradeLevel}`,
  trending: (limit: number) => `careers:trending:${limit}`,
};

export interface CacheOptions {
  nodes: { host: string; port: number }[];
  password?: string;
  metrics?: TargetMetrics;
  /** ms a cache command may take before it counts as failed (a miss). */
  commandTimeoutMs?: number;
}

export class Cache {
  readonly cluster: Cluster;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: CacheOptions) {
    this.cluster = new Cluster(options.nodes, {
      redisOptions: {
        password: options.password,
        commandTimeout: options.commandTimeoutMs ?? 500,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
      },
      enableOfflineQueue: true,
      slotsRefreshTimeout: 2000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    });
    // Errors are answered per command (as misses); the connection keeps retrying on its own.
    this.cluster.on('error', () => undefined);
  }

  private count(cache: string, result: 'hit' | 'miss' | 'error'): void {
    this.options.metrics?.cacheRequests.inc({ cache, result });
  }

  async get<T>(timing: RequestTiming, name: string, key: string): Promise<T | undefined> {
    try {
      const raw = await timing.cache(() => this.cluster.get(key));
      this.count(name, raw === null ? 'miss' : 'hit');
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      this.count(name, 'error');
      return undefined;
    }
  }

  async set(timing: RequestTiming, key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    try {
      await timing.cache(() => this.cluster.set(key, JSON.stringify(value), 'EX', ttlSeconds));
      return true;
    } catch {
      return false;
    }
  }

  async del(timing: RequestTiming, ...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await timing.cache(() => this.cluster.del(...keys)).catch(() => undefined);
  }

  /**
   * Cache-aside: the cached value (hit), or `load()` stored with the TTL of `name` (miss).
   */
  async getOrLoad<T>(
    timing: RequestTiming,
    name: CacheName | string,
    key: string,
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<{ value: T; hit: boolean }> {
    const cached = await this.get<T>(timing, name, key);
    if (cached !== undefined) return { value: cached, hit: true };
    const shared = this.inFlight.get(key) as Promise<T> | undefined;
    if (shared) return { value: await shared, hit: false };
    const loading = (async () => {
      const value = await load();
      await this.set(timing, key, value, ttlSeconds);
      return value;
    })();
    this.inFlight.set(key, loading);
    try {
      return { value: await loading, hit: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Cluster health: how many of the masters that own slots answer a PING. */
  async check(timeoutMs = 1000): Promise<{ ok: boolean; mastersUp: number; mastersTotal: number; error?: string }> {
    const masters = this.cluster.nodes('master');
    if (masters.length === 0) return { ok: false, mastersUp: 0, mastersTotal: 0, error: 'not connected to the cluster' };
    const answers = await Promise.all(
      masters.map((node) =>
        Promise.race([
          node.ping().then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
        ]).catch(() => false),
      ),
    );
    const up = answers.filter(Boolean).length;
    let state = 'ok';
    try {
      const info = await Promise.race([
        this.cluster.cluster('INFO') as Promise<string>,
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
    } catch {
      state = 'unreachable';
    }
    const ok = up === masters.length && state === 'ok';
    return { ok, mastersUp: up, mastersTotal: masters.length, ...(ok ? {} : { error: `cluster_state ${state}` }) };
  }

  async close(): Promise<void> {
    await this.cluster.quit().catch(() => this.cluster.disconnect());
  }
}
