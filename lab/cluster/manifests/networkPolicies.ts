// NetworkPolicies of the data namespace: Postgres and Redis admit only the app (the target),
// load (k6 runners that talk to the database directly) and monitoring (scrapes) namespaces,
// plus the data namespace itself (replication, cluster bus) and the operators that manage them.

import type { LabConfig } from '../../config/types.ts';
import { LAB_LABELS, type NetworkPolicyObject } from './types.ts';

const byName = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } });

/** Namespaces allowed into the data namespace, in the order the policy lists them. */
export function dataClients(config: LabConfig): string[] {
  const ns = config.namespaces;
  return [ns.app, ns.load, ns.monitoring, ns.data, ns.operators];
}

export function dataNetworkPolicies(config: LabConfig): NetworkPolicyObject[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'data-clients-only', namespace: config.namespaces.data, labels: { ...LAB_LABELS } },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: dataClients(config).map(byName) }],
      },
    },
  ];
}
