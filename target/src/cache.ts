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
      // No auto-pipelining: with it (ioredis 5.8.2), once a primary dies its node's running auto
      // pipeline never settles, every later command for that node waits behind it, and no MOVED
      // ever comes to refresh the slots: after a Redis failover the cache's commands for a third
      // of the keys timed out (500 ms each) for the rest of the run, while without it the client
      // follows the promoted replica within the failover (~5 s). Found by the lab's
      // redis-primary-kill fault (lab/faults, issue 12); the syscalls it saved are not worth that.
      enableAutoPipelining: false,
      slotsRefreshTimeout: 2000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    });
    // Errors are answered per command (as misses); the connection keeps retrying on its own.
    this.cluster.on('error', () => undefined);
  }

  /**
   * A cache command that gives up after the command timeout: a node that just died must cost a
   * request a short miss, not a hang (auto-pipelined commands wait for the node otherwise).
   */
  private timed<T>(command: () => Promise<T>): Promise<T> {
    const ms = this.options.commandTimeoutMs ?? 500;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      command(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cache command took longer than ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private count(cache: string, result: 'hit' | 'miss' | 'error'): void {
    this.options.metrics?.cacheRequests.inc({ cache, result });
  }

  /** The stored text, counted as hit or miss; a failed command is counted and answered as a miss. */
  private async getText(timing: RequestTiming, name: string, key: string): Promise<string | undefined> {
    try {
      const raw = await timing.cache(() => this.timed(() => this.cluster.get(key)));
      this.count(name, raw === null ? 'miss' : 'hit');
      return raw ?? undefined;
    } catch {
      this.count(name, 'error');
      return undefined;
    }
  }

  /** Stores a text with a TTL; false when the cache did not take it (fail open: served uncached). */
  private async setText(timing: RequestTiming, key: string, text: string, ttlSeconds: number): Promise<boolean> {
    try {
      await timing.cache(() => this.timed(() => this.cluster.set(key, text, 'EX', ttlSeconds)));
      return true;
    } catch {
      return false;
    }
  }

  async get<T>(timing: RequestTiming, name: string, key: string): Promise<T | undefined> {
    const raw = await this.getText(timing, name, key);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      this.count(name, 'error'); // not our JSON: answered as a miss
      return undefined;
    }
  }

  set(timing: RequestTiming, key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    return this.setText(timing, key, JSON.stringify(value), ttlSeconds);
  }

  async del(timing: RequestTiming, ...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await timing.cache(() => this.timed(() => this.cluster.del(...keys))).catch(() => undefined);
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
    const value = await this.loadOnce(key, async () => {
      const loaded = await load();
      await this.set(timing, key, loaded, ttlSeconds);
      return loaded;
    });
    return { value, hit: false };
  }

  /**
   * Cache-aside of a JSON text: a hit is sent as it is stored, with no parse and re-serialise
   * (the hot path of a cached read), a miss stores `load()`'s value as JSON.
   */
  async getOrLoadJson(
    timing: RequestTiming,
    name: CacheName | string,
    key: string,
    ttlSeconds: number,
    load: () => Promise<unknown>,
  ): Promise<{ json: string; hit: boolean }> {
    const raw = await this.getText(timing, name, key);
    if (raw !== undefined) return { json: raw, hit: true };
    const json = await this.loadOnce(key, async () => {
      const loaded = JSON.stringify(await load());
      await this.setText(timing, key, loaded, ttlSeconds);
      return loaded;
    });
    return { json, hit: false };
  }

  /** One load per key at a time: concurrent misses of a key share it (no stampede on the database). */
  private loadOnce<T>(key: string, load: () => Promise<T>): Promise<T> {
    const shared = this.inFlight.get(key) as Promise<T> | undefined;
    if (shared) return shared;
    const loading = load().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }

  /**
   * Cluster health as the cluster itself sees it (CLUSTER NODES from the first node that
   * answers): every node linked and none flagged fail / fail?, and cluster_state ok. A node that
   * just died shows as disconnected at once, long before the cluster marks it failed.
   */
  async check(timeoutMs = 1000): Promise<RedisCheck> {
    const within = <T>(work: Promise<T>) =>
      Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
    for (const node of this.cluster.nodes('all')) {
      try {
        const [nodesText, infoText] = await within(Promise.all([node.cluster('NODES') as Promise<string>, node.cluster('INFO') as Promise<string>]));
        return redisCheckFrom(nodesText, infoText);
      } catch {
        // try the next node
      }
    }
    return { ok: false, clusterState: 'unreachable', nodesUp: 0, nodesTotal: 0, mastersUp: 0, mastersTotal: 0, down: [] };
  }

  /** Quits politely (pending replies first), but never waits more than 2 s for a dead node. */
  async close(): Promise<void> {
    const quit = this.cluster.quit().then(() => true, () => false);
    const done = await Promise.race([quit, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref())]);
    if (!done) this.cluster.disconnect();
  }
}

export interface RedisCheck {
  ok: boolean;
  clusterState: string;
  nodesUp: number;
  nodesTotal: number;
  mastersUp: number;
  mastersTotal: number;
  /** addresses of nodes flagged failed or not linked. */
  down: string[];
}

/** Reads CLUSTER NODES and CLUSTER INFO output. Pure. */
export function redisCheckFrom(clusterNodes: string, clusterInfo: string): RedisCheck {
  const nodes = clusterNodes
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 8)
    .map((f) => ({ address: f[1]!.split('@')[0]!, flags: f[2]!.split(','), linkState: f[7]! }));
  const isDown = (n: (typeof nodes)[number]) =>
    n.flags.includes('fail') || n.flags.includes('fail?') || (!n.flags.includes('myself') && n.linkState !== 'connected');
  const masters = nodes.filter((n) => n.flags.includes('master'));
  const down = nodes.filter(isDown);
  const clusterState = /cluster_state:(\w+)/.exec(clusterInfo)?.[1] ?? 'unknown';
  return {
    ok: clusterState === 'ok' && down.length === 0 && nodes.length > 0,
    clusterState,
    nodesUp: nodes.length - down.length,
    nodesTotal: nodes.length,
    mastersUp: masters.filter((n) => !isDown(n)).length,
    mastersTotal: masters.length,
    down: down.map((n) => n.address),
  };
}
