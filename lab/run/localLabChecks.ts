// The local lab's readiness report (lab/local/readiness.ts), at the start and again at the end of
// the run, as the verdict's lab checks: replication streaming, Redis cluster ok, Prometheus
// scraping every target, Alertmanager ready, target healthy.

import type { ReadinessReport } from '../local/readiness.ts';
import { labCheck, type LabCheck } from '../analysis/verdict.ts';

export function labChecksFromReadiness(report: ReadinessReport, phase: LabCheck['phase']): LabCheck[] {
  const r = report.replication;
  const c = report.redisCluster;
  const checks: LabCheck[] = [
    labCheck('replication_streaming', phase, r.ok,
      `${r.streamingReplicas} of ${r.expectedReplicas} replicas streaming, max lag ${r.maxLagBytes} bytes${r.problem ? ` (${r.problem})` : ''}`),
    labCheck('redis_cluster_ok', phase, c.ok,
      `cluster_state:${c.clusterState}, ${c.primaries} primaries, ${c.replicas} replicas, ${c.slotsOk} slots ok${c.problem ? ` (${c.problem})` : ''}`),
    labCheck('prometheus_scraping', phase, report.prometheus.ok,
      report.prometheus.problem ?? `${report.prometheus.targets.length} scrape targets up`),
    labCheck('alertmanager_ready', phase, report.alertmanager.ok,
      report.alertmanager.problem ?? 'ready'),
  ];
  if (report.target) {
    checks.push(labCheck('target_healthy', phase, report.target.ok,
      report.target.problem ?? `health: ${report.target.status}`));
  }
  return checks;
}
