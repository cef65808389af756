// Names of the things the stacks create and other parts look up (Secrets, Services, releases).
// One place, so the target's env, the NetworkPolicies and lab-up's printout agree.

import { basename } from 'node:path';
import type { LabConfig } from '../config/types.ts';

/** Secret (monitoring namespace) with the Grafana admin's `admin-user` and `admin-password`. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** Helm release names. */
export const RELEASES = {
  kubePrometheusStack: 'monitoring',
  k6Operator: 'k6-operator',
  cnpgOperator: 'cnpg',
  redisOperator: 'redis-operator',
  postgres: 'postgres',
  redis: 'redis',
} as const;

/**
 * The API groups of the CRDs the lab's charts install (kube-prometheus-stack, k6-operator,
 * CloudNativePG, OT redis-operator). Helm installs CRDs but never deletes them: teardown names the
 * ones it leaves.
 */
export const CHART_CRD_GROUPS = {
  kubePrometheusStack: 'monitoring.coreos.com',
  k6Operator: 'k6.io',
  cnpgOperator: 'postgresql.cnpg.io',
  redisOperator: 'redis.redis.opstreelabs.in',
} as const;

/** Secret (data namespace, kubernetes.io/basic-auth) CloudNativePG bootstraps the app owner from. */
export const postgresOwnerSecret = (config: LabConfig) => `${config.postgres.clusterName}-owner`;

/** Secret (data namespace) with the Redis password under `password`. */
export const redisPasswordSecret = (config: LabConfig) => `${config.redis.clusterName}-password`;

/** Secrets in the app namespace the target service loads as env (envFrom). */
export const TARGET_SECRETS = {
  /** key DATABASE_PRIMARY_URL: postgres://owner:password@<cluster>-rw.<ns>.svc:5432/<db> */
  database: 'target-database',
  /** key REDIS_PASSWORD */
  redis: 'target-redis',
} as const;

/** The keys inside TARGET_SECRETS (named as the target's env variables they become). */
export const TARGET_SECRET_KEYS = {
  databasePrimaryUrl: 'DATABASE_PRIMARY_URL',
  redisPassword: 'REDIS_PASSWORD',
} as const;

const svc = (name: string, namespace: string) => `${name}.${namespace}.svc`;

/** In-cluster addresses of the data services. */
export function dataEndpoints(config: LabConfig) {
  const ns = config.namespaces.data;
  const pg = config.postgres.clusterName;
  return {
    /** CloudNativePG: -rw is the primary, -ro the hot standbys. */
    postgresPrimary: `${svc(`${pg}-rw`, ns)}:5432`,
    postgresReplicas: `${svc(`${pg}-ro`, ns)}:5432`,
    /** OT redis-operator: the leader Service; ioredis discovers the other nodes from it. */
    redisSeed: `${svc(`${config.redis.clusterName}-leader`, ns)}:6379`,
  };
}

/** In-cluster URLs of the monitoring stack (kube-prometheus-stack with release `monitoring`). */
export function monitoringEndpoints(config: LabConfig) {
  const ns = config.namespaces.monitoring;
  return {
    prometheus: `http://${svc('monitoring-kube-prometheus-prometheus', ns)}:9090`,
    remoteWrite: `http://${svc('monitoring-kube-prometheus-prometheus', ns)}:9090/api/v1/write`,
    alertmanager: `http://${svc('monitoring-kube-prometheus-alertmanager', ns)}:9093`,
    grafana: `http://${svc('monitoring-grafana', ns)}:80`,
  };
}

/** The target chart's Service name (its "fullname" helper: release, or release-chart). */
export function clusterTargetService(config: LabConfig): string {
  const chart = basename(config.target.chartPath);
  const release = config.target.releaseName;
  return (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 63).replace(/-+$/, '');
}

/** In-cluster URL of the lab's target service (Service port 80). */
export function clusterTargetUrl(config: LabConfig): string {
  return `http://${clusterTargetService(config)}.${config.namespaces.app}.svc`;
}

/** Prometheus selector of the target's own metrics: the ServiceMonitor's job is the Service name. */
export function clusterTargetSelector(config: LabConfig): string {
  return `job="${clusterTargetService(config)}",namespace="${config.namespaces.app}"`;
}
