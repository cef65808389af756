// The service's Postgres access: writes and transactions on the primary, reads on the replicas
// round-robin. A replica that fails to answer (connection refused, reset, shut down, recovery
// conflict) is skipped for a short while and the read is retried on the next replica, then on the
// primary, so a replica going away degrades health but not requests.

import pg from 'pg';
import type { RequestTiming } from '../timing.ts';
import type { TargetMetrics } from '../metrics.ts';

export type Row = Record<string, unknown>;

interface NamedPool {
  name: string;
  pool: pg.Pool;
  /** epoch ms until which this replica is skipped after a connection-level failure. */
  downUntil: number;
}

export interface PoolCheck {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** How long a replica that failed is left alone before reads try it again. */
const REPLICA_BACKOFF_MS = 2000;

/**
 * Errors that mean "this server did not answer", as opposed to "this query is wrong": only these
 * move a read to another server. SQLSTATE classes 08 (connection), 57 (operator intervention,
 * shutdown) and 40001 (cancelled by a conflict with recovery on a standby), plus socket errors.
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string') {
    if (/^(08|57)/.test(e.code) || e.code === '40001') return true;
    if (/^E[A-Z]+$/.test(e.code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT...
  }
  const message = e?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    message,
  );
}

export interface DatabaseOptions {
  primaryUrl: string;
  replicaUrls: string[];
  poolMax: number;
  metrics?: TargetMetrics;
  onPoolError?: (pool: string, err: Error) => void;
}

export class Database {
  readonly primary: NamedPool;
  readonly replicas: NamedPool[];
  private next = 0;

  constructor(private readonly options: DatabaseOptions) {
    this.primary = this.makePool('primary', options.primaryUrl);
    this.replicas = options.replicaUrls.map((url, i) => this.makePool(`replica-${i}`, url));
  }

  private makePool(name: string, connectionString: string): NamedPool {
    const pool = new pg.Pool({
      connectionString,
      max: this.options.poolMax,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 2000,
      application_name: `target-${name}`,
      statement_timeout: 30_000,
    });
    // An idle client losing its server (a replica stopped) must not crash the process.
    pool.on('error', (err) => this.options.onPoolError?.(name, err));
    return { name, pool, downUntil: 0 };
  }

  private count(pool: NamedPool, kind: 'read' | 'write'): void {
    this.options.metrics?.dbQueries.inc({ pool: pool.name, kind });
  }

  /** A read that tolerates replication lag: replicas first, then the primary. */
  async read<R extends Row = Row>(timing: RequestTiming, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return timing.db(async () => {
      const now = Date.now();
      const n = this.replicas.length;
      const start = this.next++ % Math.max(n, 1);
      for (let i = 0; i < n; i++) {
        const replica = this.replicas[(start + i) % n]!;
        if (replica.downUntil > now) continue;
        try {
          const result = await replica.pool.query<R>(sql, params);
          this.count(replica, 'read');
          return result;
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          replica.downUntil = Date.now() + REPLICA_BACKOFF_MS;
        }
      }
      this.count(this.primary, 'read');
      return this.primary.pool.query<R>(sql, params);
    });
  }

  /** A read that must see the latest writes (job status, read-your-write checks). */
  async readPrimary<R extends Row = Row>(timing: RequestTiming, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return timing.db(async () => {
      this.count(this.primary, 'read');
      return this.primary.pool.query<R>(sql, params);
    });
  }

  async write<R extends Row = Row>(timing: RequestTiming, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return timing.db(async () => {
      this.count(this.primary, 'write');
      return this.primary.pool.query<R>(sql, params);
    });
  }

  /** Runs `work` in one transaction on the primary: all of it is written, or none of it. */
  async transaction<T>(timing: RequestTiming, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return timing.db(async () => {
      const client = await this.primary.pool.connect();
      this.count(this.primary, 'write');
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
  }

  private async ping(p: NamedPool, timeoutMs: number): Promise<PoolCheck> {
    const start = performance.now();
    try {
      await Promise.race([
        p.pool.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref()),
      ]);
      return { name: p.name, ok: true, ms: Math.round((performance.now() - start) * 10) / 10 };
    } catch (err) {
      if (p !== this.primary) p.downUntil = Date.now() + REPLICA_BACKOFF_MS;
      return { name: p.name, ok: false, ms: Math.round(performance.now() - start), error: (err as Error).message };
    }
  }

  async check(timeoutMs = 1000): Promise<{ primary: PoolCheck; replicas: PoolCheck[] }> {
    const [primary, ...replicas] = await Promise.all([this.primary, ...this.replicas].map((p) => this.ping(p, timeoutMs)));
    return { primary: primary!, replicas };
  }

  /** Connection counts per pool; `waiting` > 0 means requests queue for a connection. */
  poolStats(): { name: string; total: number; idle: number; waiting: number; max: number }[] {
    return [this.primary, ...this.replicas].map((p) => ({
      name: p.name,
      total: p.pool.totalCount,
      idle: p.pool.idleCount,
      waiting: p.pool.waitingCount,
      max: this.options.poolMax,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([this.primary, ...this.replicas].map((p) => p.pool.end().catch(() => undefined)));
  }
}
