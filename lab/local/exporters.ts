// The data tier's exporters on loopback, for the lab's Prometheus to scrape: the same metric names
// the cluster's exporters give (pg_*, redis_*), so dashboards, alert rules and the verdict work on
// both targets.
//
// - prometheus-postgres-exporter against the primary, as the monitor role (pg_monitor).
// - one prometheus-redis-exporter for all six Redis nodes: its /metrics shows the first node
//   (-redis.addr), and its multi-target endpoint /scrape?target=redis://host:port shows any node.
//   The cache hit rate is per node, so Prometheus scrapes every node through /scrape (see
//   `redis.scrapeUrls`); one process instead of six keeps the 2-core box for the load test.
//
// Secrets go through the environment (DATA_SOURCE_NAME, REDIS_PASSWORD), never on a command line.

import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import type { ManagedProcess, Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { notYet, waitUntil } from '../process/waitUntil.ts';

/** An exporter process (`name` is its supervisor name, `url` http://<address>). */
export interface ExporterEndpoint extends LabProcess {
  /** host:port, what a Prometheus static_config lists. */
  address: string;
  metricsUrl: string;
}

/** How long an exporter may take to reach its database. */
const EXPORTER_READY_MS = 15_000;

export interface DataTierExporters {
  postgres: ExporterEndpoint;
  redis: ExporterEndpoint & {
    /** one URL per Redis node: `http://<exporter>/scrape?target=redis://<node>`. */
    scrapeUrls: string[];
    /** the same as data, for a Prometheus job with `params.target` or relabelling. */
    targets: string[];
  };
}

export interface StartExportersOptions {
  supervisor: Supervisor;
  /** a Postgres URL of a role with pg_monitor on the primary. */
  postgresMonitorUrl: string;
  redisNodes: string[];
  redisPassword: string;
  log?: (line: string) => void;
}

/** The exporter reads `sslmode`; the lab's loopback Postgres has no TLS. Pure. */
export function postgresExporterDsn(monitorUrl: string): string {
  const url = new URL(monitorUrl);
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

export function redisTarget(node: string): string {
  return `redis://${node}`;
}

export function redisScrapeUrl(exporterAddress: string, node: string): string {
  return `http://${exporterAddress}/scrape?target=${encodeURIComponent(redisTarget(node))}`;
}

export async function startExporters(options: StartExportersOptions): Promise<DataTierExporters> {
  const [postgres, redis] = await Promise.all([
    startPostgresExporter(options.supervisor, options.postgresMonitorUrl),
    startRedisExporter(options.supervisor, options.redisNodes, options.redisPassword),
  ]);
  options.log?.(`exporters: postgres ${postgres.metricsUrl}, redis ${redis.metricsUrl}`);
  return { postgres, redis };
}

/** Started and ready: it reaches the primary (`pg_up 1`), not just listens. `port` default: a free one now. */
export async function startPostgresExporter(supervisor: Supervisor, monitorUrl: string, port?: number): Promise<DataTierExporters['postgres']> {
  port ??= (await freePorts(1))[0]!;
  const address = `${LOOPBACK}:${port}`;
  const proc = supervisor.start('postgres-exporter', LOCAL_LAB_BINARIES.postgresExporter.path, [
    `--web.listen-address=${address}`, '--log.level=warn',
  ], { env: { ...withoutSecrets(), DATA_SOURCE_NAME: postgresExporterDsn(monitorUrl) } });
  const exporter = exporterProcess(supervisor, proc, address, 'pg_up 1');
  await exporter.waitReady();
  return exporter;
}

/** Started and ready: it reaches the first node (`redis_up 1`); /scrape reaches the others. `port` default: a free one now. */
export async function startRedisExporter(
  supervisor: Supervisor, nodes: string[], password: string, port?: number,
): Promise<DataTierExporters['redis']> {
  const firstNode = nodes[0];
  if (!firstNode) throw new Error('redisNodes is empty: give at least one host:port');
  port ??= (await freePorts(1))[0]!;
  const address = `${LOOPBACK}:${port}`;
  const proc = supervisor.start('redis-exporter', LOCAL_LAB_BINARIES.redisExporter.path, [
    '-web.listen-address', address, '-redis.addr', redisTarget(firstNode),
  ], { env: { ...withoutSecrets(), REDIS_PASSWORD: password } });
  const exporter = {
    ...exporterProcess(supervisor, proc, address, 'redis_up 1'),
    scrapeUrls: nodes.map((n) => redisScrapeUrl(address, n)),
    targets: nodes.map(redisTarget),
  };
  await exporter.waitReady();
  return exporter;
}

/** This process' environment minus the exporters' secret variables, so none leaks across. */
function withoutSecrets(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DATA_SOURCE_NAME'];
  delete env['REDIS_PASSWORD'];
  return env;
}

/** The handle of an exporter: ready once its /metrics has `line` (it reached its database). */
function exporterProcess(supervisor: Supervisor, proc: ManagedProcess, address: string, line: string): ExporterEndpoint {
  const metricsUrl = `http://${address}/metrics`;
  return {
    ...labProcess(supervisor, proc, {
      url: `http://${address}`,
      defaultTimeoutMs: EXPORTER_READY_MS,
      ready: async (wait) => {
        await waitUntil(`${proc.name} to report "${line}"`, proc, async () => {
          try {
            const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
            const body = await response.text();
            return (response.ok && body.split('\n').includes(line)) || notYet(`HTTP ${response.status}, no "${line}"`);
          } catch (err) {
            return notYet((err as Error).message);
          }
        }, wait);
      },
    }),
    address,
    metricsUrl,
  };
}
