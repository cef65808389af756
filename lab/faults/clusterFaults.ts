// The cluster target's faults, through the Kubernetes API (@kubernetes/client-node, the lab
// config's kubeconfig and context, as the launcher reaches the cluster): pods deleted as a node
// failure or an eviction would, the target scaled to zero and back; recovery read from what the
// operators say in their objects' status, and the pods' own Ready condition. The lab checks
// themselves come from the lab's Prometheus (lab/run/clusterLabChecks.ts).
//
//   pg-replica-kill     delete the pod of a CloudNativePG replica (cnpg.io/cluster, cnpg.io/instanceRole=replica)
//                       back: a pod of that name again (a new uid) Ready, and the Cluster's status.readyInstances = status.instances
//   pg-primary-kill     delete the primary's pod (cnpg.io/instanceRole=primary): CloudNativePG promotes a standby
//                       back: the same, and status.currentPrimary named (the promoted one, or the old one again)
//   redis-primary-kill  delete the pod of a Redis primary: redis_instance_info{role="master"} from Prometheus (what
//                       Redis says now), else the first pod with the OT operator's role=leader label (its StatefulSet's role)
//                       back: the pod again Ready, and the RedisCluster's status.state Ready with every leader and follower ready
//   target-restart      scale the target's Deployment to 0, wait for its pods to go, scale it back to its replicas
//                       back: status.readyReplicas at those replicas again
//   runner-kill         delete the pod of the last runner (k6_cr=<TestRun>, runner=true, job-name=<TestRun>-<n>)
//
// The kinds this target does not inject (kinds.ts) are refused before anything starts.

import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { LabCheck } from '../analysis/verdict.ts';
import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import type { LabConfig } from '../config/types.ts';
import { clusterTargetService } from '../cluster/names.ts';
import { sleep } from '../process/waitUntil.ts';
import type { FaultDriver, Healing, Injection } from './driver.ts';
import { faultLabel, type FaultSpec } from './kinds.ts';

/** The operators' custom resources the healing reads (CloudNativePG 1.30, OT redis-operator v1beta2). */
export const CNPG_CLUSTER = { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters' } as const;
export const OT_REDIS_CLUSTER = { group: 'redis.redis.opstreelabs.in', version: 'v1beta2', plural: 'redisclusters' } as const;

export interface ClusterFaultOptions {
  kubeConfig: KubeConfig;
  config: LabConfig;
  /** the lab's Prometheus (which Redis pod is a primary now). */
  prometheus: PrometheusClient;
  /** the run's TestRun and runners (runner-kill). */
  testRunName: string;
  loadNamespace: string;
  parallelism: number;
  /** the cluster lab checks now (lab/run/clusterLabChecks.ts). */
  checks: () => Promise<LabCheck[]>;
  /** how long target-restart waits for the pods to go before scaling back (default 120 s). */
  scaleDownTimeoutMs?: number;
}

interface Hit extends Injection {
  namespace: string;
  /** the pod deleted, and its uid (a pod of the same name with another uid is its replacement). */
  pod?: string;
  uid?: string;
  /** pg-primary-kill: the primary the Cluster named before. */
  primaryBefore?: string;
  /** target-restart: the Deployment and the replicas it is scaled back to. */
  deployment?: string;
  replicas?: number;
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export function clusterFaultDriver(options: ClusterFaultOptions): FaultDriver {
  const { config, kubeConfig } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const dataNs = config.namespaces.data;

  const pods = async (namespace: string, labelSelector: string) =>
    (await core.listNamespacedPod({ namespace, labelSelector })).items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));

  const deletePod = async (namespace: string, pod: V1Pod, target: string): Promise<Hit> => {
    const name = pod.metadata!.name!;
    await core.deleteNamespacedPod({ name, namespace });
    return { target, detail: `deleted pod ${namespace}/${name} (uid ${pod.metadata?.uid})`, namespace, pod: name, uid: pod.metadata!.uid! };
  };

  /** The deleted pod's replacement: a pod of that name with another uid, Ready. */
  const replaced = async (hit: Hit): Promise<Healing> => {
    const pod = await core.readNamespacedPod({ name: hit.pod!, namespace: hit.namespace }).catch(() => undefined);
    if (!pod) return { healed: false, detail: `pod ${hit.pod} not recreated yet` };
    if (pod.metadata?.uid === hit.uid) return { healed: false, detail: `pod ${hit.pod} still terminating` };
    return isReady(pod) ? { healed: true, detail: `pod ${hit.pod} recreated (uid ${pod.metadata?.uid}) and Ready` } : { healed: false, detail: `pod ${hit.pod} recreated, not Ready yet (${pod.status?.phase})` };
  };

  const customStatus = async (crd: typeof CNPG_CLUSTER | typeof OT_REDIS_CLUSTER, name: string): Promise<Record<string, unknown> | undefined> => {
    const object = await custom.getNamespacedCustomObject({ ...crd, namespace: dataNs, name }).catch(() => undefined) as { status?: Record<string, unknown> } | undefined;
    return object?.status;
  };

  /** CloudNativePG's own word: every instance ready (status.readyInstances = status.instances). */
  const cnpgReady = async (): Promise<{ ok: boolean; detail: string; currentPrimary?: string }> => {
    const status = await customStatus(CNPG_CLUSTER, config.postgres.clusterName);
    if (!status) return { ok: false, detail: `Cluster ${dataNs}/${config.postgres.clusterName} not readable` };
    const ready = Number(status.readyInstances ?? 0);
    const instances = Number(status.instances ?? config.postgres.instances);
    const currentPrimary = typeof status.currentPrimary === 'string' ? status.currentPrimary : undefined;
    return {
      ok: ready >= instances && instances > 0,
      detail: `Cluster ${config.postgres.clusterName}: ${ready}/${instances} instances ready, phase "${status.phase ?? '?'}", primary ${currentPrimary ?? '?'}`,
      ...(currentPrimary ? { currentPrimary } : {}),
    };
  };

  /** The OT operator's word: state Ready, every leader and follower ready. */
  const redisReady = async (): Promise<{ ok: boolean; detail: string }> => {
    const status = await customStatus(OT_REDIS_CLUSTER, config.redis.clusterName);
    if (!status) return { ok: false, detail: `RedisCluster ${dataNs}/${config.redis.clusterName} not readable` };
    const leaders = Number(status.readyLeaderReplicas ?? 0);
    const followers = Number(status.readyFollowerReplicas ?? 0);
    const wantFollowers = config.redis.shards * config.redis.replicasPerShard;
    return {
      ok: status.state === 'Ready' && leaders >= config.redis.shards && followers >= wantFollowers,
      detail: `RedisCluster ${config.redis.clusterName}: state ${String(status.state ?? '?')}, leaders ${leaders}/${config.redis.shards}, followers ${followers}/${wantFollowers}`,
    };
  };

  const withOperator = async (hit: Hit, operator: () => Promise<{ ok: boolean; detail: string }>): Promise<Healing> => {
    const pod = await replaced(hit);
    const status = await operator();
    return { healed: pod.healed && status.ok, detail: `${pod.detail}; ${status.detail}` };
  };

  return {
    async inject(fault: FaultSpec): Promise<Injection> {
      const pg = `cnpg.io/cluster=${config.postgres.clusterName}`;
      switch (fault.kind) {
        case 'pg-replica-kill': {
          const [pod] = await pods(dataNs, `${pg},cnpg.io/instanceRole=replica`);
          if (!pod) throw new Error(`no CloudNativePG replica pod (${pg},cnpg.io/instanceRole=replica) in ${dataNs}`);
          return deletePod(dataNs, pod, `pod ${pod.metadata!.name} (replica)`);
        }
        case 'pg-primary-kill': {
          const [pod] = await pods(dataNs, `${pg},cnpg.io/instanceRole=primary`);
          if (!pod) throw new Error(`no CloudNativePG primary pod (${pg},cnpg.io/instanceRole=primary) in ${dataNs}`);
          const before = await cnpgReady();
          const hit: Hit = { ...(await deletePod(dataNs, pod, `pod ${pod.metadata!.name} (primary)`)), ...(before.currentPrimary ? { primaryBefore: before.currentPrimary } : {}) };
          return hit;
        }
        case 'redis-primary-kill': {
          const name = config.redis.clusterName;
          // what Redis says now (a failover swaps roles; the operator's role label is its StatefulSet's)
          const masters = await options.prometheus.query(`redis_instance_info{namespace="${dataNs}",pod=~"${name}-(leader|follower)-[0-9]+",role="master"}`).catch(() => []);
          const byMetric = masters.map((s) => s.labels.pod).filter((p): p is string => !!p).sort()[0];
          const candidates = await pods(dataNs, byMetric ? '' : `app=${name}-leader,role=leader`);
          const pod = byMetric ? candidates.find((p) => p.metadata?.name === byMetric) : candidates[0];
          if (!pod) throw new Error(`no Redis primary pod of ${name} in ${dataNs} (${byMetric ? `${byMetric} from redis_instance_info` : `app=${name}-leader,role=leader`})`);
          return deletePod(dataNs, pod, `pod ${pod.metadata!.name} (primary: ${byMetric ? 'redis_instance_info role="master"' : 'role=leader label'})`);
        }
        case 'target-restart': {
          const namespace = config.namespaces.app;
          const name = clusterTargetService(config);
          const deployment = await apps.readNamespacedDeployment({ name, namespace });
          const replicas = deployment.spec?.replicas ?? 1;
          const scale = (n: number) => apps.replaceNamespacedDeploymentScale({ name, namespace, body: { metadata: { name, namespace }, spec: { replicas: n } } });
          await scale(0);
          const deadline = Date.now() + (options.scaleDownTimeoutMs ?? 120_000);
          const selector = Object.entries(deployment.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
          let left = Infinity;
          while (Date.now() < deadline) {
            left = (await pods(namespace, selector)).length;
            if (left === 0) break;
            await sleep(500);
          }
          await scale(replicas);
          const hit: Hit = {
            target: `deployment ${namespace}/${name}`,
            detail: `scaled to 0 (${left === 0 ? 'every pod gone' : `${left} pod(s) still there after the wait`}), then back to ${replicas}`,
            namespace, deployment: name, replicas,
          };
          return hit;
        }
        case 'runner-kill': {
          const runner = options.parallelism;
          const selector = `k6_cr=${options.testRunName},runner=true,job-name=${options.testRunName}-${runner}`;
          const [pod] = await pods(options.loadNamespace, selector);
          if (!pod) throw new Error(`no pod of runner ${runner} (${selector}) in ${options.loadNamespace}`);
          return { ...(await deletePod(options.loadNamespace, pod, `k6 runner ${runner} (pod ${pod.metadata!.name})`)), runner };
        }
        default:
          throw new Error(`${faultLabel(fault)}: the cluster target does not inject ${fault.kind}`);
      }
    },

    async lift() {
      // no stall on the cluster: the kinds with a duration are refused before the run
    },

    checks: options.checks,

    async healing(fault, injection): Promise<Healing> {
      const hit = injection as Hit;
      switch (fault.kind) {
        case 'pg-replica-kill':
          return withOperator(hit, cnpgReady);
        case 'pg-primary-kill': {
          const healing = await withOperator(hit, cnpgReady);
          const now = await cnpgReady();
          return { ...healing, detail: `${healing.detail}${hit.primaryBefore ? ` (was ${hit.primaryBefore}${now.currentPrimary && now.currentPrimary !== hit.primaryBefore ? ': failed over' : ''})` : ''}` };
        }
        case 'redis-primary-kill':
          return withOperator(hit, redisReady);
        case 'target-restart': {
          const deployment = await apps.readNamespacedDeployment({ name: hit.deployment!, namespace: hit.namespace });
          const ready = deployment.status?.readyReplicas ?? 0;
          return { healed: ready >= hit.replicas!, detail: `deployment ${hit.deployment}: ${ready}/${hit.replicas} replicas ready` };
        }
        case 'runner-kill':
          return { healed: true, detail: `runner ${hit.runner} stays down (its Job may replace the pod, which then waits for a start that never comes)` };
        default:
          return { healed: false, detail: `${fault.kind} is not injected on the cluster` };
      }
    },
  };
}
