// The value keys each chart reads, as written down from the chart's upstream values.yaml at the
// pinned version. Our values builders may set only these paths (or anything below a path listed
// as a subtree); a typo such as `prometheusSpec.enableRemoteWriteReciever` would otherwise be
// ignored by Helm silently. `required` are the keys the lab depends on.
//
// Sources:
//   kube-prometheus-stack  github.com/prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml
//                          (+ grafana subchart: grafana/helm-charts charts/grafana/values.yaml)
//   k6-operator            github.com/grafana/k6-operator charts/k6-operator/values.yaml
//   cloudnative-pg         github.com/cloudnative-pg/charts charts/cloudnative-pg/values.yaml
//   cluster                github.com/cloudnative-pg/charts charts/cluster/values.yaml
//   redis-operator         github.com/OT-CONTAINER-KIT/redis-operator charts/redis-operator/values.yaml
//                          (0.24.0: commit 6864c099)
//   redis-cluster          github.com/OT-CONTAINER-KIT/redis-operator charts/redis-cluster/values.yaml
//                          (0.17.4: commit cca0315b; leader/follower.nodeSelector, redisExporter.image/tag,
//                          serviceMonitor.namespace and storageSpec.volumeClaimTemplate read by
//                          templates/redis-cluster.yaml and leader-sm.yaml / follower-sm.yaml)
//   target-api             charts/target-api/values.yaml (this repository; the target issue's chart)

export interface ChartKeys {
  /** paths the chart reads; a path also admits anything below it (maps such as nodeSelector). */
  known: string[];
  /** paths our values must set. */
  required: string[];
}

const PROM = 'prometheus.prometheusSpec';

export const CHART_KEYS: Record<string, ChartKeys> = {
  'kube-prometheus-stack': {
    known: [
      'kubeEtcd.enabled', 'kubeControllerManager.enabled', 'kubeScheduler.enabled', 'kubeProxy.enabled',
      'defaultRules.rules.etcd', 'defaultRules.rules.kubeControllerManager', 'defaultRules.rules.kubeSchedulerAlerting',
      'defaultRules.rules.kubeSchedulerRecording', 'defaultRules.rules.kubeProxy',
      'prometheusOperator.nodeSelector', 'kube-state-metrics.nodeSelector',
      `${PROM}.enableRemoteWriteReceiver`, `${PROM}.enableFeatures`, `${PROM}.retention`, `${PROM}.scrapeInterval`,
      `${PROM}.serviceMonitorSelectorNilUsesHelmValues`, `${PROM}.podMonitorSelectorNilUsesHelmValues`,
      `${PROM}.ruleSelectorNilUsesHelmValues`, `${PROM}.probeSelectorNilUsesHelmValues`,
      `${PROM}.scrapeConfigSelectorNilUsesHelmValues`, `${PROM}.resources`, `${PROM}.nodeSelector`, `${PROM}.storageSpec`,
      'alertmanager.config', 'alertmanager.alertmanagerSpec.nodeSelector',
      'grafana.admin.existingSecret', 'grafana.admin.userKey', 'grafana.admin.passwordKey', 'grafana.nodeSelector',
      'grafana.sidecar.dashboards.enabled', 'grafana.sidecar.dashboards.label', 'grafana.sidecar.dashboards.labelValue',
      'grafana.sidecar.dashboards.searchNamespace', 'grafana.sidecar.dashboards.folderAnnotation',
      'grafana.sidecar.dashboards.provider.foldersFromFilesStructure',
    ],
    required: [
      `${PROM}.enableRemoteWriteReceiver`,
      `${PROM}.serviceMonitorSelectorNilUsesHelmValues`, `${PROM}.podMonitorSelectorNilUsesHelmValues`,
      `${PROM}.ruleSelectorNilUsesHelmValues`, `${PROM}.probeSelectorNilUsesHelmValues`,
      `${PROM}.scrapeConfigSelectorNilUsesHelmValues`,
      'alertmanager.config.route.receiver', 'alertmanager.config.receivers',
      'grafana.admin.existingSecret', 'grafana.sidecar.dashboards.label', 'grafana.sidecar.dashboards.labelValue',
    ],
  },
  'k6-operator': {
    known: ['installCRDs', 'namespace.create', 'nodeSelector', 'metrics.serviceMonitor.enabled'],
    required: ['installCRDs', 'namespace.create'],
  },
  'cloudnative-pg': {
    known: ['crds.create', 'nodeSelector', 'monitoring.podMonitorEnabled', 'webhook.mutating.failurePolicy', 'webhook.validating.failurePolicy'],
    required: ['crds.create'],
  },
  cluster: {
    known: [
      'type', 'mode', 'version.postgresql', 'fullnameOverride',
      'cluster.instances', 'cluster.imageName', 'cluster.storage.size', 'cluster.storage.storageClass',
      'cluster.resources', 'cluster.affinity', 'cluster.postgresql.parameters',
      'cluster.initdb.database', 'cluster.initdb.owner', 'cluster.initdb.secret.name',
      'cluster.monitoring.enabled', 'cluster.monitoring.podMonitor.enabled', 'cluster.monitoring.prometheusRule.enabled',
      'backups.enabled',
    ],
    required: ['type', 'version.postgresql', 'cluster.instances', 'cluster.imageName', 'cluster.initdb.secret.name', 'cluster.monitoring.enabled'],
  },
  'redis-operator': {
    known: ['redisOperator.watchNamespace', 'redisOperator.imagePullPolicy', 'nodeSelector', 'certmanager.enabled'],
    required: [],
  },
  'redis-cluster': {
    known: [
      'redisCluster.name', 'redisCluster.clusterSize', 'redisCluster.clusterVersion', 'redisCluster.persistenceEnabled',
      'redisCluster.image', 'redisCluster.tag', 'redisCluster.redisSecret.secretName', 'redisCluster.redisSecret.secretKey',
      'redisCluster.resources', 'redisCluster.leader.replicas', 'redisCluster.leader.nodeSelector',
      'redisCluster.follower.replicas', 'redisCluster.follower.nodeSelector',
      'redisExporter.enabled', 'redisExporter.image', 'redisExporter.tag',
      'serviceMonitor.enabled', 'serviceMonitor.namespace', 'storageSpec.volumeClaimTemplate',
    ],
    required: ['redisCluster.clusterSize', 'redisCluster.leader.replicas', 'redisCluster.follower.replicas', 'redisCluster.redisSecret.secretName', 'redisExporter.enabled', 'serviceMonitor.enabled'],
  },
  'target-api': {
    known: ['delivery', 'bundle.configMap', 'bundle.sha256', 'bundle.nodeFlags', 'podAnnotations', 'image.repository', 'image.tag', 'replicaCount', 'autoscaling.minReplicas', 'autoscaling.maxReplicas', 'resources', 'env', 'nodeSelector', 'serviceMonitor.enabled',
      'database.existingSecret', 'database.primaryUrlKey', 'database.replicaHosts', 'redis.nodes', 'redis.existingSecret', 'redis.passwordKey'],
    required: ['delivery', 'image.repository', 'image.tag', 'replicaCount', 'database.existingSecret', 'database.primaryUrlKey', 'redis.nodes', 'redis.existingSecret', 'redis.passwordKey'],
  },
};

/**
 * When a chart renders prometheus-operator objects (monitoring.coreos.com: ServiceMonitor,
 * PodMonitor, PrometheusRule): each entry is one object kind, rendered when every listed value
 * is true (the chart's default where our values leave it out). Such a release fails with "no
 * matches for kind ... ensure CRDs are installed first" unless kube-prometheus-stack, which
 * installs those CRDs, is in place: in the same stack it must depend on that release (issue 10,
 * F1). Read from each chart's templates at the pinned version.
 */
export const MONITORING_OBJECTS: Record<string, Array<{ kind: string; when: Array<[path: string, chartDefault: boolean]> }>> = {
  // installs the CRDs itself (crds/), then its own monitors and rules
  'kube-prometheus-stack': [],
  // templates/servicemonitor.yaml; the chart turns it on by default
  'k6-operator': [{ kind: 'ServiceMonitor', when: [['metrics.serviceMonitor.enabled', true]] }],
  // templates/podmonitor.yaml
  'cloudnative-pg': [{ kind: 'PodMonitor', when: [['monitoring.podMonitorEnabled', false]] }],
  cluster: [
    { kind: 'PodMonitor', when: [['cluster.monitoring.enabled', false], ['cluster.monitoring.podMonitor.enabled', true]] },
    { kind: 'PrometheusRule', when: [['cluster.monitoring.enabled', false], ['cluster.monitoring.prometheusRule.enabled', true]] },
  ],
  // 0.24.0: Deployment, RBAC, Service, webhooks; no monitoring objects
  'redis-operator': [],
  // templates/leader-sm.yaml, follower-sm.yaml
  'redis-cluster': [{ kind: 'ServiceMonitor', when: [['serviceMonitor.enabled', false]] }],
  'target-api': [{ kind: 'ServiceMonitor', when: [['serviceMonitor.enabled', false]] }],
};

/**
 * Resource requests the charts' own defaults give the pods our values leave unsized (the fit check
 * counts them; a chart default of `resources: {}` requests nothing and is left out). Read from each
 * chart's values.yaml at the pinned version.
 */
export const CHART_DEFAULT_REQUESTS = {
  /** redis-operator 0.24.0: `resources.requests` of the operator Deployment. */
  redisOperator: { cpu: '500m', memory: '500Mi' },
  /** k6-operator 4.6.0: `manager.resources.requests` (its kube-rbac-proxy sidecar: none). */
  k6Operator: { cpu: '100m', memory: '50Mi' },
} as const;

const valueAt = (values: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined), values);

/** The monitoring.coreos.com kinds a chart renders with these values ([] when none). */
export function monitoringObjectsOf(chart: string, values: unknown): string[] {
  const objects = MONITORING_OBJECTS[chart];
  if (!objects) throw new Error(`no monitoring objects written down for chart ${chart}`);
  return objects
    .filter(({ when }) => when.every(([path, chartDefault]) => (valueAt(values, path) ?? chartDefault) === true))
    .map((o) => o.kind);
}

/** Every path to a leaf (scalar, list or empty map) of a values document. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Paths of `values` the chart does not read, and required paths it lacks. */
export function checkChartValues(chart: string, values: unknown): { unknown: string[]; missing: string[] } {
  const keys = CHART_KEYS[chart];
  if (!keys) throw new Error(`no expected keys written down for chart ${chart}`);
  const under = (path: string, key: string) => path === key || path.startsWith(`${key}.`);
  const leaves = leafPaths(values);
  return {
    unknown: leaves.filter((leaf) => !keys.known.some((k) => under(leaf, k))),
    missing: keys.required.filter((r) => !leaves.some((leaf) => under(leaf, r))),
  };
}
