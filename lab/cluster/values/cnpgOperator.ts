// Values for the CloudNativePG operator chart: CRDs with the release (it watches all namespaces by default).

import type { LabConfig } from '../../config/types.ts';
import { placementFor } from '../placement.ts';

export function cnpgOperatorValues(config: LabConfig) {
  return {
    crds: { create: true },
    nodeSelector: placementFor(config, config.monitoring.pool),
    monitoring: { podMonitorEnabled: true },
  };
}
