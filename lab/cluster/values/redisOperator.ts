// Values for the OT-CONTAINER-KIT redis-operator chart: one operator watching every namespace.

import type { LabConfig } from '../../config/types.ts';
import { placementFor } from '../placement.ts';

export function redisOperatorValues(config: LabConfig) {
  return {
    redisOperator: { watchNamespace: '', imagePullPolicy: 'IfNotPresent' },
    nodeSelector: placementFor(config, config.monitoring.pool),
    certmanager: { enabled: false },
  };
}
