// The SLA alert rules as a prometheus-operator PrometheusRule (picked up by any Prometheus,
// since the platform stack opens the rule selector).

import type { LabConfig } from '../../config/types.ts';
import { slaAlertRuleGroups, type AlertRuleGroup } from '../../alerts/slaRules.ts';
import { LAB_LABELS, type ObjectMeta } from './types.ts';

export interface PrometheusRuleObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: ObjectMeta;
  spec: { groups: AlertRuleGroup[] };
}

export function slaPrometheusRule(config: LabConfig): PrometheusRuleObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'perflab-sla', namespace: config.namespaces.monitoring, labels: { ...LAB_LABELS } },
    spec: {
      groups: slaAlertRuleGroups({
        window: config.monitoring.alertWindow,
        for: config.monitoring.alertFor,
        slas: config.slas,
        targetSelector: `namespace="${config.namespaces.app}"`,
      }),
    },
  };
}
