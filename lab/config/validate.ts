// Validation of a lab config. Every problem names its field, what was given and what is valid;
// all problems are reported at once, so one edit of the config file fixes them all.

import { isNodePool, POOL_NAMES } from '../cluster/pools.ts';
import { SLA_CATALOGUE } from '../sla/catalogue.ts';
import { LAB_PROFILES } from './profiles.ts';
import type { LabConfig, Resources } from './types.ts';
import { isDnsLabel } from '../cluster/dnsLabel.ts';
import { cpuMillis, CPU_QUANTITY as CPU, memoryBytes } from './quantity.ts';

export { cpuMillis, memoryBytes } from './quantity.ts';

export interface ConfigIssue {
  /** dotted path of the field, e.g. "postgres.instances". */
  path: string;
  message: string;
}

export class LabConfigError extends Error {
  constructor(readonly issues: ConfigIssue[], source = 'lab config') {
    super(`invalid ${source}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'LabConfigError';
  }
}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const STORAGE = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/;
const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;
const MATCHER = /^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*".*"$/;

const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

export function validateLabConfig(config: LabConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path, message });

  const dnsLabel = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !isDnsLabel(value)) {
      bad(path, `must be a DNS label (lowercase letters, digits and '-', 1 to 63 characters), got ${show(value)}`);
    }
  };
  const integer = (path: string, value: unknown, min: number, max: number, why = '') => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      bad(path, `must be an integer from ${min} to ${max}${why ? ` (${why})` : ''}, got ${show(value)}`);
    }
  };
  const oneOf = (path: string, value: unknown, valid: readonly string[]) => {
    if (typeof value !== 'string' || !valid.includes(value)) {
      bad(path, `must be one of ${valid.join(', ')}, got ${show(value)}`);
    }
  };
  const matches = (path: string, value: unknown, re: RegExp, what: string) => {
    if (typeof value !== 'string' || !re.test(value)) bad(path, `must be ${what}, got ${show(value)}`);
  };
  const nonEmpty = (path: string, value: unknown) => {
    if (typeof value !== 'string' || value.trim() === '') bad(path, `must be a non-empty string, got ${show(value)}`);
  };
  const pool = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !isNodePool(value)) bad(path, `must be a node pool: one of ${POOL_NAMES.join(', ')}, got ${show(value)}`);
  };
  const resources = (path: string, r: Resources) => {
    for (const side of ['requests', 'limits'] as const) {
      matches(`${path}.${side}.cpu`, r?.[side]?.cpu, CPU, 'a CPU quantity such as "250m" or "2"');
      if (memoryBytes(String(r?.[side]?.memory)) === undefined || !/[KMGT]i$/.test(String(r?.[side]?.memory))) {
        bad(`${path}.${side}.memory`, `must be a memory quantity such as "512Mi" or "2Gi", got ${show(r?.[side]?.memory)}`);
      }
    }
    const [rc, lc] = [cpuMillis(String(r?.requests?.cpu)), cpuMillis(String(r?.limits?.cpu))];
    if (rc !== undefined && lc !== undefined && rc > lc) bad(`${path}.requests.cpu`, `must not exceed limits.cpu (${r.limits.cpu}), got ${show(r.requests.cpu)}`);
    const [rm, lm] = [memoryBytes(String(r?.requests?.memory)), memoryBytes(String(r?.limits?.memory))];
    if (rm !== undefined && lm !== undefined && rm > lm) bad(`${path}.requests.memory`, `must not exceed limits.memory (${r.limits.memory}), got ${show(r.requests.memory)}`);
  };
  const image = (path: string, value: { repository?: unknown; tag?: unknown }) => {
    nonEmpty(`${path}.repository`, value?.repository);
    if (typeof value?.tag !== 'string' || value.tag === '' || value.tag === 'latest') {
      bad(`${path}.tag`, `must be an exact image tag (not "latest"), got ${show(value?.tag)}`);
    }
  };

  oneOf('profile', config.profile, LAB_PROFILES);

  dnsLabel('cluster.name', config.cluster?.name);
  nonEmpty('cluster.context', config.cluster?.context);
  // resolve.ts makes it absolute (relative to where the command ran, "~/" expanded) and names
  // what it cannot resolve; here only its type
  if (typeof config.cluster?.kubeconfig !== 'string' || config.cluster.kubeconfig.trim() === '') {
    bad('cluster.kubeconfig', `must be a file path (absolute, "~/..." or relative to where you run the command), got ${show(config.cluster?.kubeconfig)}`);
  }
  oneOf('cluster.placement', config.cluster?.placement, ['pools', 'none']);
  for (const pool of POOL_NAMES) {
    const node = config.cluster?.nodes?.[pool];
    const at = `cluster.nodes.${pool}`;
    if (typeof node !== 'object' || node === null) {
      bad(at, `must be a node size {cpu, memory, pods}, got ${show(node)}`);
      continue;
    }
    const cpu = cpuMillis(String(node.cpu));
    if (typeof node.cpu !== 'string' || cpu === undefined || cpu < 1000) bad(`${at}.cpu`, `must be a CPU quantity of at least 1 core such as "4", got ${show(node.cpu)}`);
    const memory = memoryBytes(String(node.memory));
    if (typeof node.memory !== 'string' || memory === undefined || !/[KMGT]i$/.test(node.memory) || memory < 2 ** 30) {
      bad(`${at}.memory`, `must be a memory quantity of at least 1Gi such as "16Gi", got ${show(node.memory)}`);
    }
    integer(`${at}.pods`, node.pods, 10, 1000, 'the kubelet\'s maxPods');
  }
  for (const key of Object.keys(config.cluster?.nodes ?? {})) {
    if (!isNodePool(key)) bad(`cluster.nodes.${key}`, `is not a node pool: one of ${POOL_NAMES.join(', ')}`);
  }
  if (config.profile === 'kind' && config.cluster?.context !== `kind-${config.cluster?.name}`) {
    bad('cluster.context', `must be "kind-${config.cluster?.name}" on the kind profile (kind names its context after the cluster), got ${show(config.cluster?.context)}`);
  }

  const namespaces = Object.entries(config.namespaces ?? {});
  for (const [key, value] of namespaces) dnsLabel(`namespaces.${key}`, value);
  const seen = new Map<unknown, string>();
  for (const [key, value] of namespaces) {
    if (seen.has(value)) bad(`namespaces.${key}`, `must differ from namespaces.${seen.get(value)} (both are ${show(value)})`);
    seen.set(value, key);
  }

  for (const [key, chart] of Object.entries(config.charts ?? {})) {
    matches(`charts.${key}.repository`, chart?.repository, /^(https?|oci):\/\/\S+$/, 'a Helm repository URL: https://, http:// (a mirror on a network you trust) or oci://');
    if (chart?.caFile !== undefined) {
      if (typeof chart.caFile !== 'string' || chart.caFile.trim() === '') {
        bad(`charts.${key}.caFile`, `must be the path of a PEM CA bundle, got ${show(chart.caFile)}`);
      } else if (typeof chart.repository === 'string' && !chart.repository.startsWith('https://')) {
        bad(`charts.${key}.caFile`, `applies to an https:// repository only (charts.${key}.repository is ${show(chart.repository)}: http:// has no TLS, and the helm provider takes no CA for oci:// per release)`);
      }
    }
    nonEmpty(`charts.${key}.chart`, chart?.chart);
    matches(`charts.${key}.version`, chart?.version, EXACT_VERSION, 'an exact chart version such as "1.2.3" (no ranges)');
  }
  for (const [key, value] of Object.entries(config.images ?? {})) image(`images.${key}`, value);
  matches('images.postgres.major', config.images?.postgres?.major, /^\d{2}$/, 'the Postgres major version of the image, e.g. "18"');
  if (typeof config.images?.postgres?.tag === 'string' && typeof config.images.postgres.major === 'string'
    && !config.images.postgres.tag.startsWith(config.images.postgres.major)) {
    bad('images.postgres.major', `must match images.postgres.tag (${config.images.postgres.tag}), got ${show(config.images.postgres.major)}`);
  }

  const pg = config.postgres;
  dnsLabel('postgres.clusterName', pg?.clusterName);
  integer('postgres.instances', pg?.instances, 1, 9, '3 = 1 primary + 2 streaming read replicas');
  matches('postgres.storageSize', pg?.storageSize, STORAGE, 'a storage quantity such as "10Gi"');
  if (pg?.storageClass !== undefined) nonEmpty('postgres.storageClass', pg.storageClass);
  resources('postgres.resources', pg?.resources);
  for (const [key, value] of Object.entries(pg?.parameters ?? {})) {
    if (typeof value !== 'string') bad(`postgres.parameters.${key}`, `must be a string (CloudNativePG takes postgresql.conf values as strings), got ${show(value)}`);
  }
  matches('postgres.database', pg?.database, /^[a-z_][a-z0-9_]{0,62}$/, 'a Postgres identifier (lowercase, digits, _)');
  matches('postgres.owner', pg?.owner, /^[a-z_][a-z0-9_]{0,62}$/, 'a Postgres identifier (lowercase, digits, _)');
  pool('postgres.pool', pg?.pool);

  const redis = config.redis;
  dnsLabel('redis.clusterName', redis?.clusterName);
  integer('redis.shards', redis?.shards, 3, 16, 'Redis Cluster needs at least 3 primaries');
  integer('redis.replicasPerShard', redis?.replicasPerShard, 0, 1, 'the OT redis-operator pairs each primary with at most one replica');
  matches('redis.storageSize', redis?.storageSize, STORAGE, 'a storage quantity such as "1Gi"');
  resources('redis.resources', redis?.resources);
  pool('redis.pool', redis?.pool);

  const mon = config.monitoring;
  matches('monitoring.retention', mon?.retention, DURATION, 'a Prometheus duration such as "15d"');
  if (mon?.remoteWriteReceiver !== true) {
    bad('monitoring.remoteWriteReceiver', `must be true (k6 remote-writes every runner's metrics into Prometheus), got ${show(mon?.remoteWriteReceiver)}`);
  }
  matches('monitoring.scrapeInterval', mon?.scrapeInterval, DURATION, 'a Prometheus duration such as "15s"');
  matches('monitoring.prometheusStorageSize', mon?.prometheusStorageSize, STORAGE, 'a storage quantity such as "10Gi"');
  resources('monitoring.prometheusResources', mon?.prometheusResources);
  if (typeof mon?.disableControlPlaneTargets !== 'boolean') bad('monitoring.disableControlPlaneTargets', `must be true or false, got ${show(mon?.disableControlPlaneTargets)}`);
  nonEmpty('monitoring.grafanaAdminUser', mon?.grafanaAdminUser);
  matches('monitoring.alertFor', mon?.alertFor, DURATION, 'a Prometheus duration such as "2m"');
  matches('monitoring.alertWindow', mon?.alertWindow, DURATION, 'a Prometheus duration such as "5m"');
  integer('monitoring.cardinality.warnSeries', mon?.cardinality?.warnSeries, 1, 10_000_000);
  integer('monitoring.cardinality.maxSeries', mon?.cardinality?.maxSeries, 1, 10_000_000);
  if (typeof mon?.cardinality?.warnSeries === 'number' && typeof mon.cardinality.maxSeries === 'number' && mon.cardinality.warnSeries >= mon.cardinality.maxSeries) {
    bad('monitoring.cardinality.warnSeries', `must be below maxSeries (${mon.cardinality.maxSeries}): a run is warned before it is stopped, got ${mon.cardinality.warnSeries}`);
  }
  pool('monitoring.pool', mon?.pool);
  if (!Array.isArray(mon?.alertRoutes)) {
    bad('monitoring.alertRoutes', `must be a list of {receiver, matchers, webhookUrl?}, got ${show(mon?.alertRoutes)}`);
  } else {
    mon.alertRoutes.forEach((route, i) => {
      const at = `monitoring.alertRoutes[${i}]`;
      matches(`${at}.receiver`, route?.receiver, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a receiver name (letters, digits, _ . -)');
      if (route?.receiver === 'null') bad(`${at}.receiver`, 'must not be "null" (that name is the catch-all receiver)');
      if (!Array.isArray(route?.matchers) || route.matchers.length === 0) {
        bad(`${at}.matchers`, `must be a non-empty list of matchers such as 'severity="critical"', got ${show(route?.matchers)}`);
      } else {
        route.matchers.forEach((m, j) => matches(`${at}.matchers[${j}]`, m, MATCHER, `a matcher such as 'severity="critical"' (label, one of = != =~ !~, quoted value)`));
      }
      if (route?.webhookUrl !== undefined) matches(`${at}.webhookUrl`, route.webhookUrl, /^https?:\/\/\S+$/, 'an http(s):// URL');
    });
  }

  pool('k6Operator.pool', config.k6Operator?.pool);
  pool('k6Operator.runnerPool', config.k6Operator?.runnerPool);

  const t = config.target;
  dnsLabel('target.releaseName', t?.releaseName);
  if (typeof t?.chartPath !== 'string' || t.chartPath === '' || t.chartPath.startsWith('/') || t.chartPath.split('/').includes('..')) {
    bad('target.chartPath', `must be a path inside the repository, relative to its root (e.g. "charts/target-api"), got ${show(t?.chartPath)}`);
  }
  oneOf('target.delivery', t?.delivery, ['bundle', 'image']);
  image('target.nodeImage', t?.nodeImage);
  image('target.image', t?.image);
  if (t?.registry !== undefined) {
    matches('target.registry', t.registry, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/,
      'a registry host with an optional path, no scheme and no tag, such as "ghcr.io/acme" or "registry.example.com:5000/perf"');
  }
  integer('target.replicas', t?.replicas, 1, 50);
  resources('target.resources', t?.resources);
  for (const [key, value] of Object.entries(t?.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) bad(`target.env.${key}`, 'must be an environment variable name (letters, digits, _)');
    if (typeof value !== 'string') bad(`target.env.${key}`, `must be a string, got ${show(value)}`);
  }
  if (typeof t?.serviceMonitor !== 'boolean') bad('target.serviceMonitor', `must be true or false, got ${show(t?.serviceMonitor)}`);
  pool('target.pool', t?.pool);

  const cap = config.capacity;
  const positive = (path: string, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) bad(path, `must be a number above 0 or left unset, got ${show(value)}`);
  };
  positive('capacity.productionRps', cap?.productionRps);
  positive('capacity.productionUsers', cap?.productionUsers);
  positive('capacity.nodeHourUsd', cap?.nodeHourUsd);
  if (typeof cap?.headroom !== 'number' || !(cap.headroom >= 0 && cap.headroom < 1)) bad('capacity.headroom', `must be a share from 0 to below 1 (0.3 = plan for 70 % utilisation), got ${show(cap?.headroom)}`);

  if (config.slas !== SLA_CATALOGUE) bad('slas', 'comes from lab/sla/catalogue.ts and cannot be set here (one place for every SLA number)');
  return issues;
}
