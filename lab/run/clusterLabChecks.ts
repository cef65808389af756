// The cluster lab's health, read from its own Prometheus at the start and the end of a run, as the
// local lab's readiness report is: Postgres replicas streaming and their lag (CloudNativePG's
// exporter, `cnpg_pg_replication_*`), the Redis cluster's state and nodes (the redis_exporter
// sidecars, `redis_cluster_*`, `redis_up`), and the target service up (its ServiceMonitor).
// Metric names as CloudNativePG's default monitoring queries and redis_exporter write them.
//
// The queries and the judgement are pure; `readClusterLabChecks` is the I/O at the edge.

import { labCheck, type LabCheck } from '../analysis/verdict.ts';
import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import type { LabConfig } from '../config/types.ts';
import { REDIS_CLUSTER_SLOTS } from '../local/readiness.ts';

export interface ClusterLabQueries {
  pgStreaming: string;
  pgLagSeconds: string;
  pgInstances: string;
  redisState: string;
  redisSlotsOk: string;
  redisNodesUp: string;
  targetDown: string;
  targetUp: string;
}

/** What the checks expect of this lab config: its instances, shards and replicas. */
export interface ClusterLabExpectations {
  postgresInstances: number;
  redisNodes: number;
}

export function clusterLabExpectations(config: LabConfig): ClusterLabExpectations {
  return {
    postgresInstances: config.postgres.instances,
    redisNodes: config.redis.shards * (1 + config.redis.replicasPerShard),
  };
}

/** The PromQL of each check, selecting the lab's own pods by namespace and name. */
export function clusterLabQueries(config: LabConfig, targetSelector: string | undefined): ClusterLabQueries {
  const ns = config.namespaces.data;
  // CloudNativePG names its instance pods <cluster>-<n>; the OT operator <name>-leader-<n> / -follower-<n>
  const pg = `namespace="${ns}",pod=~"${config.postgres.clusterName}-[0-9]+"`;
  const redis = `namespace="${ns}",pod=~"${config.redis.clusterName}-(leader|follower)-[0-9]+"`;
  return {
    pgStreaming: `max(cnpg_pg_replication_streaming_replicas{${pg}})`,
    pgLagSeconds: `max(cnpg_pg_replication_lag{${pg}})`,
    pgInstances: `count(cnpg_collector_up{${pg}} == 1)`,
    redisState: `min(redis_cluster_state{${redis}})`,
    redisSlotsOk: `min(redis_cluster_slots_ok{${redis}})`,
    redisNodesUp: `count(redis_up{${redis}} == 1)`,
    targetDown: targetSelector ? `count(up{${targetSelector}} == 0)` : '',
    targetUp: targetSelector ? `count(up{${targetSelector}} == 1)` : '',
  };
}

/** Each query's value (undefined: no series, e.g. nothing scrapes it). */
export type ClusterLabValues = { [K in keyof ClusterLabQueries]: number | undefined };

const show = (v: number | undefined) => (v === undefined ? 'no data' : String(v));

/** The lab checks from the values read (pure). A check with no data fails: it is not proven. */
export function judgeClusterLab(values: ClusterLabValues, expected: ClusterLabExpectations, phase: LabCheck['phase'], withTarget: boolean): LabCheck[] {
  const replicas = expected.postgresInstances - 1;
  const streaming = values.pgStreaming;
  const lag = values.pgLagSeconds;
  const checks: LabCheck[] = [
    labCheck('replication_streaming', phase, streaming !== undefined && streaming >= replicas,
      `${show(streaming)} of ${replicas} replicas streaming, ${show(values.pgInstances)} of ${expected.postgresInstances} instances ` +
        `exporting, max replication lag ${lag === undefined ? 'no data' : `${lag.toFixed(1)} s`} (cnpg_pg_replication_*)`),
    labCheck('redis_cluster_ok', phase, values.redisState === 1 && values.redisSlotsOk === REDIS_CLUSTER_SLOTS && (values.redisNodesUp ?? 0) >= expected.redisNodes,
      `cluster_state ${values.redisState === undefined ? 'no data' : values.redisState === 1 ? 'ok' : 'fail'} on every node, ` +
        `${show(values.redisSlotsOk)} of ${REDIS_CLUSTER_SLOTS} slots ok, ${show(values.redisNodesUp)} of ${expected.redisNodes} nodes up (redis_exporter)`),
  ];
  if (withTarget) {
    const up = values.targetUp ?? 0;
    const down = values.targetDown ?? 0;
    checks.push(labCheck('target_healthy', phase, up > 0 && down === 0,
      `${up} target pod(s) up, ${down} down (up{} of its ServiceMonitor)`));
  }
  return checks;
}

/** Reads every check's value from the lab's Prometheus; a query that fails counts as no data. */
export async function readClusterLabChecks(
  client: PrometheusClient, config: LabConfig, targetSelector: string | undefined, phase: LabCheck['phase'],
): Promise<LabCheck[]> {
  const queries = clusterLabQueries(config, targetSelector);
  const entries = await Promise.all(Object.entries(queries).map(async ([key, expr]) =>
    [key, expr ? await client.value(expr).catch(() => undefined) : undefined] as const));
  return judgeClusterLab(Object.fromEntries(entries) as ClusterLabValues, clusterLabExpectations(config), phase, targetSelector !== undefined);
}
