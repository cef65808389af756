// The lab's namespaces with Pod Security Admission labels. Levels are the strictest each
// namespace's workloads pass: node-exporter needs host access (privileged); the operators,
// databases and k6 runners run as baseline; the app namespace warns about anything below
// restricted so the target chart is nudged there without being blocked.

import type { LabConfig } from '../../config/types.ts';
import { LAB_LABELS, type NamespaceObject } from './types.ts';

type Level = 'privileged' | 'baseline' | 'restricted';

function namespace(name: string, enforce: Level, warn: Level = enforce): NamespaceObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...LAB_LABELS,
        'pod-security.kubernetes.io/enforce': enforce,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': warn,
        'pod-security.kubernetes.io/audit': warn,
      },
    },
  };
}

export function labNamespaces(config: LabConfig): NamespaceObject[] {
  const ns = config.namespaces;
  return [
    namespace(ns.operators, 'baseline'),
    namespace(ns.monitoring, 'privileged'),
    namespace(ns.data, 'baseline'),
    namespace(ns.app, 'baseline', 'restricted'),
    namespace(ns.load, 'baseline'),
  ];
}
