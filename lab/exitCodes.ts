// What a run's exit code says, so CI and people can tell "the service is too slow" from "the lab
// broke" from "you typed it wrong" without reading the report.

export const EXIT_CODES = {
  /** every SLA measured passed, every runner exited 0, the lab stayed healthy. */
  pass: 0,
  /** an SLA failed, a soak check failed, or a runner failed its k6 thresholds (k6 exit 99). */
  slaFailure: 1,
  /** bad flags, unknown scenario: nothing was started. */
  usage: 2,
  /** the lab itself failed: not ready, broke during the run, a runner crashed, Prometheus unreachable. */
  labFailure: 3,
  /** Ctrl-C (SIGINT): partial results were written. 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

export type VerdictKind = 'pass' | 'sla-failure' | 'regression' | 'lab-failure' | 'interrupted';

export const EXIT_CODE_OF: Record<VerdictKind, number> = {
  pass: EXIT_CODES.pass,
  'sla-failure': EXIT_CODES.slaFailure,
  /** a p95/p99 regressed against the baseline (--baseline), beyond the noise (lab/baseline/compare.ts). */
  regression: EXIT_CODES.slaFailure,
  'lab-failure': EXIT_CODES.labFailure,
  interrupted: EXIT_CODES.interrupted,
};
