// Prometheus alert rules generated from the SLA catalogue: one alert per SLA, firing while the
// SLA's PromQL (lab/sla/promql.ts, over a rolling window) is on the wrong side of its threshold.
// Plain data: the observability stack wraps it in a PrometheusRule, the local lab writes it to a
// Prometheus rules file. No SLA number is written here.

import { SERVICE_SLAS, type Sla } from '../sla/catalogue.ts';
import { violationExpr, type TargetResources } from '../sla/promql.ts';
import { targetResourcesFor } from '../sla/targetResources.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertRuleGroup {
  name: string;
  rules: AlertRule[];
}

export interface SlaAlertOptions {
  /** rolling window of the expressions (default 5m). */
  window?: string;
  /** how long a violation must last before the alert fires (default 2m). */
  for?: string;
  /** k6 series matchers (default: every run that carries a testid). */
  selector?: string;
  /** matchers of the target service's own metrics (memory SLA). */
  targetSelector?: string;
  /** what each target process is given (the CPU and memory shares); default: a lab pod's limits (kind profile). */
  targetResources?: TargetResources;
  /** SLAs to alert on (default: the service SLAs; a test type's criteria are always left out). */
  slas?: readonly Sla[];
}

/** Label every SLA alert carries, so Alertmanager can route them (see alertmanager.ts). */
export const SLA_ALERT_SOURCE = { source: 'perflab-sla' } as const;
export const SLA_RULE_GROUP = 'perflab-sla';

/** "api_p95" -> "SlaApiP95Violated" */
export function slaAlertName(sla: Sla): string {
  const pascal = sla.id.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return `Sla${pascal}Violated`;
}

function describe(sla: Sla): string {
  const unit = sla.unit === 'ratio' ? '' : ` ${sla.unit}`;
  return `${sla.title} must be ${sla.op} ${sla.threshold}${unit}`;
}

export function slaAlertRuleGroups(opts: SlaAlertOptions = {}): AlertRuleGroup[] {
  const window = opts.window ?? '5m';
  const selector = opts.selector ?? 'testid!=""';
  const targetResources = opts.targetResources ?? targetResourcesFor('cluster');
  // a test type's own criteria hold for its runs only: never a standing alert
  const rules = (opts.slas ?? SERVICE_SLAS).filter((sla) => sla.testType === undefined).map((sla): AlertRule => ({
    alert: slaAlertName(sla),
    expr: violationExpr(sla, { selector, mode: 'window', window, targetSelector: opts.targetSelector, targetResources }),
    for: opts.for ?? '2m',
    labels: {
      ...SLA_ALERT_SOURCE,
      sla: sla.id,
      // Error rates and failed checks mean broken behaviour; slow percentiles mean degraded behaviour.
      severity: sla.unit === 'ratio' ? 'critical' : 'warning',
    },
    annotations: {
      summary: `SLA ${sla.id} violated: ${describe(sla)}`,
      description: `${describe(sla)} over the last ${window}; measured {{ $value | printf "%.3f" }}${sla.unit === 'ratio' ? '' : ` ${sla.unit}`}.`,
      source: sla.source,
    },
  }));
  return [{ name: SLA_RULE_GROUP, rules }];
}

/** The content of a Prometheus rules file (`rule_files:`) with the SLA alerts. */
export function slaRulesFile(opts: SlaAlertOptions = {}): { groups: AlertRuleGroup[] } {
  return { groups: slaAlertRuleGroups(opts) };
}
