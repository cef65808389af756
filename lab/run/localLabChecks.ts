// The local lab's readiness report (lab/local/readiness.ts), at the start and again at the end of
// the run, as the verdict's lab checks: replication streaming, Redis cluster ok, Prometheus
// scraping every target, Alertmanager ready, target healthy.

import type { ReadinessReport } from '../local/readiness.ts';
import type { LabCheck } from '../analysis/verdict.ts';

export function labChecksFromReadiness(report: ReadinessReport, phase: LabCheck['phase']): LabCheck[] {
  const r = report.replication;
  const c = report.redisCluster;
  const checks: LabCheck[] = [
    {
      id: 'replication_streaming',
      title: 'Postgres replicas streaming',
      phase,
      ok: r.ok,
      detail: `${r.streamingReplicas} of ${r.expectedReplicas} replicas streaming, max lag ${r.maxLagBytes} bytes${r.problem ? ` (${r.problem})` : ''}`,
    },
    {
      id: 'redis_cluster_ok',
      title: 'Redis cluster state',
      phase,
      ok: c.ok,
      detail: `cluster_state:${c.clusterState}, ${c.primaries} primaries, ${c.replicas} replicas, ${c.slotsOk} slots ok${c.problem ? ` (${c.problem})` : ''}`,
    },
    {
      id: 'prometheus_scraping',
      title: 'Prometheus scraping every lab target',
      phase,
      ok: report.prometheus.ok,
      detail: report.prometheus.problem ?? `${report.prometheus.targets.length} scrape targets up`,
    },
    {
      id: 'alertmanager_ready',
      title: 'Alertmanager ready',
      phase,
      ok: report.alertmanager.ok,
      detail: report.alertmanager.problem ?? 'ready',
    },
  ];
  if (report.target) {
    checks.push({
      id: 'target_healthy',
      title: 'Target service health',
      phase,
      ok: report.target.ok,
      detail: report.target.problem ?? `health: ${report.target.status}`,
    });
  }
  return checks;
}
