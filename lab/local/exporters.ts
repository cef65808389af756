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
import type { Supervisor } from './supervisor.ts';

export interface ExporterEndpoint {
  /** supervisor name of the exporter process. */
  name: string;
  /** host:port, what a Prometheus static_config lists. */
  address: string;
  metricsUrl: string;
}

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
  const [pgPort, redisPort] = await freePorts(2);
  const pgAddress = `${LOOPBACK}:${pgPort}`;
  const redisAddress = `${LOOPBACK}:${redisPort}`;
  const quiet = { ...process.env };
  delete quiet['DATA_SOURCE_NAME'];
  delete quiet['REDIS_PASSWORD'];

  options.supervisor.start('postgres-exporter', LOCAL_LAB_BINARIES.postgresExporter.path, [
    `--web.listen-address=${pgAddress}`, '--log.level=warn',
  ], { env: { ...quiet, DATA_SOURCE_NAME: postgresExporterDsn(options.postgresMonitorUrl) } });

  const firstNode = options.redisNodes[0];
  if (!firstNode) throw new Error('redisNodes is empty: give at least one host:port');
  options.supervisor.start('redis-exporter', LOCAL_LAB_BINARIES.redisExporter.path, [
    '-web.listen-address', redisAddress, '-redis.addr', redisTarget(firstNode),
  ], { env: { ...quiet, REDIS_PASSWORD: options.redisPassword } });

  const exporters: DataTierExporters = {
    postgres: { name: 'postgres-exporter', address: pgAddress, metricsUrl: `http://${pgAddress}/metrics` },
    redis: {
      name: 'redis-exporter', address: redisAddress, metricsUrl: `http://${redisAddress}/metrics`,
      scrapeUrls: options.redisNodes.map((n) => redisScrapeUrl(redisAddress, n)),
      targets: options.redisNodes.map(redisTarget),
    },
  };
  // ready means the exporter reaches its database, not just that its port is open
  await Promise.all([
    waitForMetric(options.supervisor, exporters.postgres, 'pg_up 1'),
    waitForMetric(options.supervisor, exporters.redis, 'redis_up 1'),
  ]);
  options.log?.(`exporters: postgres ${exporters.postgres.metricsUrl}, redis ${exporters.redis.metricsUrl}`);
  return exporters;
}

async function waitForMetric(supervisor: Supervisor, exporter: ExporterEndpoint, line: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    try {
      const response = await fetch(exporter.metricsUrl, { signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      if (response.ok && body.split('\n').includes(line)) return;
      last = `HTTP ${response.status}, no "${line}"`;
    } catch (err) {
      last = (err as Error).message;
    }
    const proc = supervisor.processes.find((p) => p.name === exporter.name);
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${exporter.name} exited before it was ready; see ${proc?.logFile ?? 'its log'}`);
    }
    if (Date.now() > deadline) throw new Error(`${exporter.name} not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
