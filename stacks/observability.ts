// observability: Grafana dashboards (dashboards/*.json as labelled ConfigMaps) and the SLA alert
// rules (PrometheusRule, a raw manifest: its CRD comes from the platform stack, deployed before).
// Alertmanager routing is rendered by lab/alerts and applied through the platform's chart values.

import type { Construct } from 'constructs';
import type { LabConfig } from '../lab/config/types.ts';
import { dashboardConfigMaps, type DashboardFile } from '../lab/cluster/manifests/dashboards.ts';
import { slaPrometheusRule } from '../lab/cluster/manifests/prometheusRule.ts';
import { LabStack } from './labStack.ts';

export class ObservabilityStack extends LabStack {
  constructor(scope: Construct, config: LabConfig, dashboards: readonly DashboardFile[]) {
    super(scope, 'observability', config);
    for (const cm of dashboardConfigMaps(config, dashboards)) this.configMap(cm);
    this.manifest('prometheusrule-sla', slaPrometheusRule(config));
  }
}
