// Values for the CloudNativePG operator chart: CRDs with the release (it watches all namespaces by default).

import type { LabConfig } from '../../config/types.ts';
import { runsContainers } from '../../config/profiles.ts';
import { placementFor } from '../placement.ts';

export function cnpgOperatorValues(config: LabConfig) {
  return {
    crds: { create: true },
    nodeSelector: placementFor(config, config.monitoring.pool),
    monitoring: { podMonitorEnabled: true },
    // The chart's mutating and validating webhooks (failurePolicy Fail) are served by the
    // operator's own pod. On the sim profile no pod ever serves (kwok nodes run no containers),
    // so with Fail the API server refuses every Cluster CR, the data stack's Postgres included.
    // Ignore there only: a real cluster keeps Fail, where a CR the operator would reject (or has
    // not defaulted) must never be stored.
    ...(runsContainers(config.profile) ? {} : { webhook: { mutating: { failurePolicy: 'Ignore' }, validating: { failurePolicy: 'Ignore' } } }),
  };
}
