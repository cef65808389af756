// The local lab's data tier in one call: Postgres primary + 2 streaming replicas and a 6-node
// Redis cluster, started in parallel (they do not depend on each other, and each spends most of
// its start waiting: copies of the data directory template and three servers starting for
// Postgres, the cluster's 2-second writable delay for Redis), then, optionally, their exporters.
// Everything is started through the given Supervisor, so the caller's stopAll (or
// stopRecordedProcesses for a kept lab) stops it all.

import { startPostgresExporter, startRedisExporter, type DataTierExporters } from './exporters.ts';
import { startPostgres, type LocalPostgres } from './postgres/startPostgres.ts';
import type { TemplateSetup } from './postgres/template.ts';
import { startRedisNodes, type LocalRedisCluster } from './redisCluster.ts';
import type { Supervisor } from '../process/supervisor.ts';

/** The data tier's checks live with the lab's other readiness checks. */
export { checkDataTier, type DataTierChecks } from './readiness.ts';

export interface StartDataTierOptions {
  stateDir: string;
  supervisor: Supervisor;
  log?: (line: string) => void;
  /** also start the postgres and redis exporters (default false). */
  withExporters?: boolean;
  /** Postgres' data directory template cache (see startPostgres; false: build one for this run). */
  templateCache?: string | false;
  /** where Postgres' data directories live (see startPostgres; default memory when /dev/shm has room). */
  dataOn?: 'memory' | 'disk';
  /** run once while Postgres' template is built, e.g. migrate + seed (see startPostgres). */
  templateSetup?: TemplateSetup;
  /**
   * Ports chosen by the caller before the start (the local lab puts every scrape target into
   * Prometheus' config before Prometheus starts); default: free ones when each part starts.
   */
  ports?: DataTierPorts;
}

export interface DataTierPorts {
  /** the six Redis nodes' (each with port + 10000 free for the cluster bus: freePorts(6, { withClusterBus: true })). */
  redis: readonly number[];
  postgresExporter: number;
  redisExporter: number;
}

export interface DataTier {
  postgres: LocalPostgres;
  redis: LocalRedisCluster;
  exporters?: DataTierExporters;
  /** wall time from the call to everything ready, in ms. */
  coldStartMs: number;
  /** when each side (with its exporter) was ready, in ms from the call: which one bounds the start. */
  timings: { postgresMs: number; redisMs: number };
  /** stops what this data tier started (exporters, Redis, Postgres). */
  stop: () => Promise<void>;
}

export async function startDataTier(options: StartDataTierOptions): Promise<DataTier> {
  const startedAt = Date.now();
  const { stateDir, supervisor, log } = options;
  const timings = { postgresMs: 0, redisMs: 0 };
  // each side's exporter starts as soon as its own side is ready
  const [[postgres, postgresExporter], [redis, redisExporter]] = await settleBoth(
    startPostgres({
      stateDir, supervisor, ...(log ? { log } : {}),
      ...(options.templateCache !== undefined ? { templateCache: options.templateCache } : {}),
      ...(options.dataOn ? { dataOn: options.dataOn } : {}),
      ...(options.templateSetup ? { templateSetup: options.templateSetup } : {}),
    }).then(async (pg) => {
      const exporter = options.withExporters ? await startPostgresExporter(supervisor, pg.monitor.url, options.ports?.postgresExporter) : undefined;
      timings.postgresMs = Date.now() - startedAt;
      return [pg, exporter] as const;
    }),
    startRedisNodes({ stateDir, supervisor, ...(log ? { log } : {}), ...(options.ports ? { ports: options.ports.redis } : {}) }).then(async (up) => {
      // the exporter needs answering nodes, not a formed cluster: start it during the forming
      const [rc, exporter] = await settleBoth(
        up.formCluster(),
        options.withExporters ? startRedisExporter(supervisor, up.nodes, up.password, options.ports?.redisExporter) : Promise.resolve(undefined),
      );
      timings.redisMs = Date.now() - startedAt;
      return [rc, exporter] as const;
    }),
  );
  const exporters: DataTierExporters | undefined =
    postgresExporter && redisExporter ? { postgres: postgresExporter, redis: redisExporter } : undefined;
  const coldStartMs = Date.now() - startedAt;
  log?.(`data tier ready in ${coldStartMs} ms (postgres side ${timings.postgresMs} ms, redis side ${timings.redisMs} ms)`);
  return {
    postgres, redis, coldStartMs, timings,
    ...(exporters ? { exporters } : {}),
    stop: async () => {
      await exporters?.redis.stop();
      await exporters?.postgres.stop();
      await Promise.all([redis.stop(), postgres.stop()]);
    },
  };
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
