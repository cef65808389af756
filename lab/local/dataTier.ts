// The local lab's data tier in one call: Postgres primary + 2 streaming replicas and a 6-node
// Redis cluster, started in parallel (they do not depend on each other, and each spends most of
// its start waiting: initdb and clones for Postgres, the cluster's 2-second writable delay for
// Redis), then, optionally, their exporters. Everything is started through the given Supervisor,
// so the caller's stopAll (or stopRecordedProcesses for a kept lab) stops it all.

import { startExporters, type DataTierExporters } from './exporters.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';
import { startRedisCluster, type LocalRedisCluster } from './redisCluster.ts';
import { checkRedisCluster, checkReplication, type RedisClusterCheck, type ReplicationCheck } from './readiness.ts';
import type { Supervisor } from './supervisor.ts';

export interface StartDataTierOptions {
  stateDir: string;
  supervisor: Supervisor;
  log?: (line: string) => void;
  /** also start the postgres and redis exporters (default false). */
  withExporters?: boolean;
}

export interface DataTier {
  postgres: LocalPostgres;
  redis: LocalRedisCluster;
  exporters?: DataTierExporters;
  /** wall time from the call to everything ready, in ms. */
  coldStartMs: number;
  /** stops what this data tier started (exporters, Redis, Postgres). */
  stop: () => Promise<void>;
}

export interface DataTierChecks {
  ok: boolean;
  replication: ReplicationCheck;
  redisCluster: RedisClusterCheck;
}

export async function startDataTier(options: StartDataTierOptions): Promise<DataTier> {
  const startedAt = Date.now();
  const { stateDir, supervisor, log } = options;
  const [postgres, redis] = await settleBoth(
    startPostgres({ stateDir, supervisor, ...(log ? { log } : {}) }),
    startRedisCluster({ stateDir, supervisor, ...(log ? { log } : {}) }),
  );
  const exporters = options.withExporters
    ? await startExporters({
        supervisor, postgresMonitorUrl: postgres.monitor.url, redisNodes: redis.nodes, redisPassword: redis.password,
        ...(log ? { log } : {}),
      })
    : undefined;
  const coldStartMs = Date.now() - startedAt;
  log?.(`data tier ready in ${coldStartMs} ms`);
  return {
    postgres, redis, coldStartMs,
    ...(exporters ? { exporters } : {}),
    stop: async () => {
      for (const name of ['redis-exporter', 'postgres-exporter']) {
        if (exporters && supervisor.processes.some((p) => p.name === name)) await supervisor.stop(name);
      }
      await Promise.all([redis.stop(), postgres.stop()]);
    },
  };
}

/** The replication and cluster checks, as the lab's summary reports them. */
export async function checkDataTier(tier: Pick<DataTier, 'postgres' | 'redis'>): Promise<DataTierChecks> {
  const [replication, redisCluster] = await Promise.all([
    checkReplication(tier.postgres.monitor.url, tier.postgres.replicas.length),
    checkRedisCluster(tier.redis.nodes, tier.redis.password),
  ]);
  return { ok: replication.ok && redisCluster.ok, replication, redisCluster };
}

/**
 * Like Promise.all for two, but waits for both to settle before failing, so a failure in one does
 * not leave the other still starting processes behind the caller's stopAll.
 */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
