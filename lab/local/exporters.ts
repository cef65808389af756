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
import type { Supervisor } from '../process/supervisor.ts';

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
  const [postgres, redis] = await Promise.all([
    startPostgresExporter(options.supervisor, options.postgresMonitorUrl),
    startRedisExporter(options.supervisor, options.redisNodes, options.redisPassword),
  ]);
  options.log?.(`exporters: postgres ${postgres.metricsUrl}, redis ${redis.metricsUrl}`);
  return { postgres, redis };
}

/** Started and ready: it reaches the primary (`pg_up 1`), not just listens. */
export async function startPostgresExporter(supervisor: Supervisor, monitorUrl: string): Promise<DataTierExporters['postgres']> {
  const [port] = await freePorts(1);
  const address = `${LOOPBACK}:${port}`;
  const exporter = { name: 'postgres-exporter', address, metricsUrl: `http://${address}/metrics` };
  supervisor.start(exporter.name, LOCAL_LAB_BINARIES.postgresExporter.path, [
    `--web.listen-address=${address}`, '--log.level=warn',
  ], { env: { ...withoutSecrets(), DATA_SOURCE_NAME: postgresExporterDsn(monitorUrl) } });
  await waitForMetric(supervisor, exporter, 'pg_up 1');
  return exporter;
}

/** Started and ready: it reaches the first node (`redis_up 1`); /scrape reaches the others. */
export async function startRedisExporter(
  supervisor: Supervisor, nodes: string[], password: string,
): Promise<DataTierExporters['redis']> {
  const firstNode = nodes[0];
  if (!firstNode) throw new Error('redisNodes is empty: give at least one host:port');
  const [port] = await freePorts(1);
  const address = `${LOOPBACK}:${port}`;
  const exporter = {
    name: 'redis-exporter', address, metricsUrl: `http://${address}/metrics`,
    scrapeUrls: nodes.map((n) => redisScrapeUrl(address, n)),
    targets: nodes.map(redisTarget),
  };
  supervisor.start(exporter.name, LOCAL_LAB_BINARIES.redisExporter.path, [
    '-web.listen-address', address, '-redis.addr', redisTarget(firstNode),
  ], { env: { ...withoutSecrets(), REDIS_PASSWORD: password } });
  await waitForMetric(supervisor, exporter, 'redis_up 1');
  return exporter;
}

/** This process' environment minus the exporters' secret variables, so none leaks across. */
function withoutSecrets(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DATA_SOURCE_NAME'];
  delete env['REDIS_PASSWORD'];
  return env;
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
