// What a user types to reach the cluster lab from this machine, from the lab config (namespaces
// and service names are the stacks', lab/cluster/names.ts), so hints never name the wrong ones.

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
