// What a user types to reach the cluster lab from this machine, from the lab config (namespaces
// and service names are the stacks', lab/cluster/names.ts), so hints never name the wrong ones.

import { basename } from 'node:path';
import { loadLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';
import { monitoringEndpoints } from '../cluster/names.ts';

/** `kubectl port-forward` to the lab's Prometheus on localhost:9090. */
export function prometheusPortForward(config?: LabConfig): string {
  let cfg = config;
  try {
    cfg ??= loadLabConfig();
  } catch {
    return 'kubectl -n <monitoring namespace> port-forward svc/monitoring-kube-prometheus-prometheus 9090';
  }
  const service = new URL(monitoringEndpoints(cfg).prometheus).hostname.split('.')[0];
  return `kubectl -n ${cfg.namespaces.monitoring} port-forward svc/${service} 9090`;
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
