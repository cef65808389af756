// Values for grafana/k6-operator: CRDs with the release, into the operators namespace the
// platform stack creates (so the chart must not create its own), controller on its pool.

import type { LabConfig } from '../../config/types.ts';
import { placementFor } from '../placement.ts';

export function k6OperatorValues(config: LabConfig) {
  return {
    installCRDs: true,
    namespace: { create: false },
    nodeSelector: placementFor(config, config.k6Operator.pool),
    metrics: { serviceMonitor: { enabled: true } },
  };
}
