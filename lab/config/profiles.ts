// The built-in profiles. `kind`: the 5-node kind cluster on one workstation (small requests,
// so 4 workers of a laptop fit everything). `cloud`: an existing cluster reached through a
// kubeconfig context, sized after the request's "5 nodes x 4 cores / 16 GB" environment. `sim`:
// the simulated cluster (lab/sim: a real control plane, kwok nodes shaped like the pools), reached
// through the kubeconfig it writes, with kind's sizes and node layout.

import { join } from 'node:path';
import {
  CNPG_CLUSTER_CHART,
  CNPG_OPERATOR_CHART,
  K6_OPERATOR_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  POSTGRES_IMAGE,
  REDIS_CLUSTER_CHART,
  REDIS_EXPORTER_IMAGE,
  REDIS_IMAGE,
  REDIS_OPERATOR_CHART,
  TARGET_API,
} from '../versions.ts';
import { SLA_CATALOGUE } from '../sla/catalogue.ts';
import { DEFAULT_KIND_CLUSTER_NAME } from '../cluster/kindConfig.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { POOL_NAMES } from '../cluster/pools.ts';
import { SIM_CONTEXT } from '../sim/kubeconfig.ts';
import type { LabConfig, LabProfileName, NodeSize } from './types.ts';
import { CARDINALITY_LEVELS } from '../analysis/cardinality.ts';
import { CAPACITY_DEFAULTS } from '../capacity/settings.ts';

export const LAB_PROFILES: readonly LabProfileName[] = ['kind', 'cloud', 'sim'];

/** The simulated cluster's kubeconfig (lab:up writes it, lab/sim/labSimCluster.ts) and context: the sim profile's defaults. */
export const SIM_KUBECONFIG = join(PROJECT_ROOT, '.lab', 'sim', 'kubeconfig');
export { SIM_CONTEXT };

/**
 * Whether the profile's nodes run containers: kind's and cloud's do; sim's kwok nodes only report
 * pods Running, so no operator, webhook server, database or k6 runner ever serves there. What a
 * cluster like that needs and a real one does not (an operator's admission webhook that nobody
 * serves must not refuse every object) is decided on this, where each chart's values are built.
 */
export function runsContainers(profile: LabProfileName): boolean {
  return profile !== 'sim';
}

/** "repository:tag" as a pin (the tag after the last colon that follows the last slash). */
function imagePin(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) throw new Error(`${ref} has no tag`);
  return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

/** Every pool's worker the same size. */
const workers = (size: NodeSize): LabConfig['cluster']['nodes'] =>
  Object.fromEntries(POOL_NAMES.map((pool) => [pool, { ...size }])) as LabConfig['cluster']['nodes'];

/**
 * kind (and sim, sized like it): a kind node reports its host's CPUs and memory, and the five
 * nodes share that host (the fit check counts them together): a workstation running Docker.
 */
const KIND_NODE: NodeSize = { cpu: '8', memory: '16Gi', pods: 110 };
/** cloud: the request's "5 nodes x 4 cores / 16 GB". */
const CLOUD_NODE: NodeSize = { cpu: '4', memory: '16Gi', pods: 110 };

/** What every profile shares. */
function common(): Omit<LabConfig, 'profile' | 'cluster'> {
  return {
    namespaces: {
      operators: 'perflab-operators',
      monitoring: 'perflab-monitoring',
      data: 'perflab-data',
      app: 'perflab-app',
      load: 'perflab-load',
    },
    charts: {
      kubePrometheusStack: { ...KUBE_PROMETHEUS_STACK_CHART },
      k6Operator: { ...K6_OPERATOR_CHART },
      cnpgOperator: { ...CNPG_OPERATOR_CHART },
      cnpgCluster: { ...CNPG_CLUSTER_CHART },
      redisOperator: { ...REDIS_OPERATOR_CHART },
      redisCluster: { ...REDIS_CLUSTER_CHART },
    },
    images: {
      postgres: { ...POSTGRES_IMAGE },
      redis: { ...REDIS_IMAGE },
      redisExporter: { ...REDIS_EXPORTER_IMAGE },
    },
    postgres: {
      clusterName: 'perflab-pg',
      instances: 3,
      storageSize: '2Gi',
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      // The request's "connection_pool_size: 500" / "500+ concurrent database connections".
      parameters: { max_connections: '600', shared_buffers: '128MB' },
      database: 'app',
      owner: 'app',
      pool: 'data',
    },
    redis: {
      clusterName: 'perflab-redis',
      shards: 3,
      replicasPerShard: 1,
      storageSize: '1Gi',
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      pool: 'data',
    },
    monitoring: {
      retention: '7d',
      remoteWriteReceiver: true,
      scrapeInterval: '15s',
      prometheusStorageSize: '10Gi',
      prometheusResources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      disableControlPlaneTargets: true,
      grafanaAdminUser: 'admin',
      alertRoutes: [{ receiver: 'sla-violations', matchers: ['source="perflab-sla"'] }],
      alertFor: '2m',
      alertWindow: '5m',
      cardinality: { ...CARDINALITY_LEVELS },
      pool: 'monitoring',
    },
    k6Operator: { pool: 'monitoring', runnerPool: 'load' },
    target: {
      releaseName: 'target-api',
      chartPath: 'charts/target-api',
      delivery: 'bundle',
      nodeImage: imagePin(TARGET_API.nodeImage),
      image: { repository: TARGET_API.image, tag: TARGET_API.version },
      replicas: 2,
      resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
      env: { NODE_ENV: 'production' },
      serviceMonitor: true,
      pool: 'app',
    },
    capacity: { ...CAPACITY_DEFAULTS },
    slas: SLA_CATALOGUE,
  };
}

export function profileDefaults(profile: LabProfileName): LabConfig {
  const base = common();
  if (profile === 'kind') {
    return {
      profile,
      cluster: {
        name: DEFAULT_KIND_CLUSTER_NAME,
        context: `kind-${DEFAULT_KIND_CLUSTER_NAME}`,
        kubeconfig: '~/.kube/config',
        placement: 'pools',
        nodes: workers(KIND_NODE),
      },
      ...base,
    };
  }
  if (profile === 'sim') {
    return {
      profile,
      cluster: { name: 'perflab', context: SIM_CONTEXT, kubeconfig: SIM_KUBECONFIG, placement: 'pools', nodes: workers(KIND_NODE) },
      ...base,
    };
  }
  return {
    profile,
    cluster: { name: 'perflab', context: 'perflab', kubeconfig: '~/.kube/config', placement: 'pools', nodes: workers(CLOUD_NODE) },
    ...base,
    // The 3 Postgres instances and the 6 Redis nodes share the data pool's one node (4 CPU / 16Gi,
    // of which about 3.7 CPU / 13Gi are left for pods): 3 x 750m / 3Gi + 6 x 150m / 384Mi =
    // 3.15 CPU / 11.25Gi (fitCheck, tested). Limits may go above: the scheduler counts requests.
    postgres: {
      ...base.postgres,
      storageSize: '50Gi',
      resources: { requests: { cpu: '750m', memory: '3Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      // shared_buffers a quarter of the memory limit; effective_cache_size what the instance may cache
      parameters: { max_connections: '600', shared_buffers: '1GB', effective_cache_size: '3GB' },
    },
    redis: {
      ...base.redis,
      storageSize: '5Gi',
      resources: { requests: { cpu: '150m', memory: '384Mi' }, limits: { cpu: '500m', memory: '768Mi' } },
    },
    monitoring: {
      ...base.monitoring,
      retention: '15d',
      prometheusStorageSize: '50Gi',
      // On a managed cluster the control plane is not scrapeable either; self-managed ones may turn it on.
      disableControlPlaneTargets: true,
      prometheusResources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } },
    },
    target: { ...base.target, replicas: 3 },
  };
}
