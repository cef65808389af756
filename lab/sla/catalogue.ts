// The SLA catalogue: every number the user's documents set, written down once.
//
// Scenarios turn these into k6 thresholds, the observability stack into PrometheusRules, the
// local lab into Prometheus alert rules, and the analysis into the verdict. Nothing else in
// the project may retype an SLA number: import it from here.
//
// Sources: ../shared/seeds (the Pathfinity "Performance Testing Guidelines" = GUIDELINES, and
// the UpCoach "Comprehensive Performance Validation Request" = REQUEST).

const GUIDELINES = 'Pathfinity Performance Testing Guidelines';
const REQUEST = 'UpCoach Performance Validation Request';

/**
 * Tag every request a scenario makes with `endpoint: <EndpointGroup>` so that SLAs scoped to a
 * group of endpoints can be judged from k6 sub-metrics and from Prometheus labels alike.
 */
export const ENDPOINT_TAG = 'endpoint';
export const ENDPOINT_GROUPS = [
  'api', // plain JSON API calls (pool, history, flow-state, interactions, trending, ...)
  'login',
  'career_selection',
  'content_generation',
  'dashboard',
  'report',
  'upload_1mb',
  'upload_10mb',
  'realtime_connect',
  'health',
] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

/**
 * Groups whose requests are long-lived streams (an SSE response lasts the whole session): their
 * duration is a session length, not a response time, so SLAs over "every request" leave them out
 * (their own SLAs, realtime_connect_p95 and realtime_update_p95, judge them).
 */
export const STREAMING_ENDPOINT_GROUPS: readonly EndpointGroup[] = ['realtime_connect'];

/**
 * k6 metric names the scenarios emit and the SLAs refer to. Time trends are created with
 * `isTime = true` so that k6 reports them in ms and remote-writes them in seconds.
 */
export const K6_METRICS = {
  httpReqDuration: 'http_req_duration',
  httpReqWaiting: 'http_req_waiting',
  httpReqFailed: 'http_req_failed',
  checks: 'checks',
  careerSelectionDuration: 'career_selection_duration',
  contentGenerationDuration: 'content_generation_duration',
  flowStateLatency: 'flow_state_latency',
  realtimeLatency: 'realtime_update_latency',
  realtimeConnect: 'realtime_connect_duration',
  dbQueryDuration: 'db_query_duration', // from the target's Server-Timing header (client side)
  cacheHits: 'cache_hits', // Rate over cacheable responses: X-Cache === 'HIT'
  errors: 'errors', // the guidelines' own custom error Rate
} as const;
export type K6MetricName = (typeof K6_METRICS)[keyof typeof K6_METRICS];

/** Which k6 metrics are Trends of time, Rates, ... (decides the stat and the Prometheus name). */
export const K6_METRIC_KINDS: Record<K6MetricName, 'time-trend' | 'rate'> = {
  http_req_duration: 'time-trend',
  http_req_waiting: 'time-trend',
  http_req_failed: 'rate',
  checks: 'rate',
  career_selection_duration: 'time-trend',
  content_generation_duration: 'time-trend',
  flow_state_latency: 'time-trend',
  realtime_update_latency: 'time-trend',
  realtime_connect_duration: 'time-trend',
  db_query_duration: 'time-trend',
  cache_hits: 'rate',
  errors: 'rate',
};

/** A statistic of a k6 metric, judged with an operator against a threshold. */
export interface K6Measure {
  kind: 'k6';
  metric: K6MetricName;
  /** k6 sub-metric tag filter, e.g. { endpoint: 'api' }. */
  tags?: Partial<Record<typeof ENDPOINT_TAG, EndpointGroup>>;
  /** percentile (0 < p < 100) of a time trend in ms, or the rate (0..1) of a Rate metric. */
  stat: { percentile: number } | 'rate';
}

/** A property of the target service seen by Prometheus, not by k6 (memory, for instance). */
export interface TargetMeasure {
  kind: 'target';
  /** what the analysis reads: the target's resident memory in MB, the peak over the run. */
  quantity: 'memory_mb_peak';
}

export interface Sla {
  /** stable identifier used in reports, alerts and the summary (snake_case). */
  id: string;
  title: string;
  measure: K6Measure | TargetMeasure;
  op: '<' | '>';
  threshold: number;
  unit: 'ms' | 'ratio' | 'MB';
  /** where the number comes from, quoted closely enough to find it. */
  source: string;
  /**
   * Set on a test type's own pass criteria (the guidelines relax the service SLAs for a stress
   * test). Such an SLA is judged only in runs whose scenario declares it, and such a run is judged
   * on what its scenario declares alone; it never becomes a standing alert. See judgedSlas.
   */
  testType?: 'stress';
}

export const SLA_CATALOGUE = [
  {
    id: 'api_p95',
    title: 'API calls p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'api' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 200,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 Response Times: "API Calls: < 200ms (p95)"`,
  },
  {
    id: 'all_endpoints_p95',
    title: 'Every endpoint p95',
    measure: { kind: 'k6', metric: 'http_req_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 500,
    unit: 'ms',
    source: `${REQUEST}: "API Response Time: < 500ms (95th percentile) for all endpoints"`,
  },
  {
    id: 'page_load_p95',
    title: 'Page load p95 (any request)',
    measure: { kind: 'k6', metric: 'http_req_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 2000,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 "Page Load: < 2s (p95)"; §2.1 and §2.4 thresholds http_req_duration p(95)<2000`,
  },
  {
    id: 'waiting_p90',
    title: 'Time to first byte p90',
    measure: { kind: 'k6', metric: 'http_req_waiting', stat: { percentile: 90 } },
    op: '<',
    threshold: 300,
    unit: 'ms',
    source: `${REQUEST} Phase 1 thresholds: "http_req_waiting: ['p(90)<300']"`,
  },
  {
    id: 'career_selection_p95',
    title: 'Career selection p95',
    measure: { kind: 'k6', metric: 'career_selection_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 500,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 "Career Selection: < 500ms (p95)"; §8.1 careerSelection p95 500`,
  },
  {
    id: 'content_generation_p95',
    title: 'Content generation p95',
    measure: { kind: 'k6', metric: 'content_generation_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 3000,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 "Content Generation: < 3s (p95)"; §8.1 contentGeneration p95 3000`,
  },
  {
    id: 'dashboard_p95',
    title: 'Dashboard load p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'dashboard' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 2000,
    unit: 'ms',
    source: `${GUIDELINES} §3.1 Parent Evening Access "dashboardLoad: '<2s'"; §8.1 dashboardLoad p95 2000`,
  },
  {
    id: 'login_p95',
    title: 'Login p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'login' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 3000,
    unit: 'ms',
    source: `${GUIDELINES} §3.1 Morning Login Surge "loginTime: '<3s'"`,
  },
  {
    id: 'report_request_p95',
    title: 'Report generation request p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'report' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 5000,
    unit: 'ms',
    source: `${GUIDELINES} §3.1 Parent Evening Access "reportGeneration: '<5s'"`,
  },
  {
    id: 'flow_state_p95',
    title: 'Flow-state (PathIQ) latency p95',
    measure: { kind: 'k6', metric: 'flow_state_latency', stat: { percentile: 95 } },
    op: '<',
    threshold: 200,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 pathIQAnalysis p95 200`,
  },
  {
    id: 'realtime_update_p95',
    title: 'Real-time update delivery p95',
    measure: { kind: 'k6', metric: 'realtime_update_latency', stat: { percentile: 95 } },
    op: '<',
    threshold: 100,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 "Real-time Updates: < 100ms (p95)"`,
  },
  {
    id: 'realtime_connect_p95',
    title: 'Real-time connection establishment p95',
    measure: { kind: 'k6', metric: 'realtime_connect_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 2000,
    unit: 'ms',
    source: `${REQUEST}: "Real-Time Connection: < 2s establishment time"`,
  },
  {
    id: 'upload_1mb_p95',
    title: 'Upload of a 1 MB file p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'upload_1mb' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 2000,
    unit: 'ms',
    source: `${REQUEST} Phase 4: "small_files: '<2s for 1MB files'"`,
  },
  {
    id: 'upload_10mb_p95',
    title: 'Upload of a 10 MB file p95',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'upload_10mb' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 5000,
    unit: 'ms',
    source: `${REQUEST}: "File Upload Performance: < 5s for 10MB files"`,
  },
  {
    id: 'db_query_p95',
    title: 'Database time per request p95 (Server-Timing)',
    measure: { kind: 'k6', metric: 'db_query_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 100,
    unit: 'ms',
    source: `${REQUEST}: "Database Query Time: < 100ms for complex queries"`,
  },
  {
    id: 'cache_hit_rate',
    title: 'Cache hit rate (cacheable responses)',
    measure: { kind: 'k6', metric: 'cache_hits', stat: 'rate' },
    op: '>',
    threshold: 0.8,
    unit: 'ratio',
    source: `${GUIDELINES} §1.1 "Cache Hit Rate: > 80%"; Release Criteria "Cache hit rate >80%"`,
  },
  {
    id: 'http_error_rate',
    title: 'HTTP error rate',
    measure: { kind: 'k6', metric: 'http_req_failed', stat: 'rate' },
    op: '<',
    threshold: 0.01,
    unit: 'ratio',
    source: `${GUIDELINES} §2.4 "http_req_failed: ['rate<0.01']"; ${REQUEST} "Error rate < 1%"`,
  },
  {
    id: 'journey_error_rate',
    title: 'Journey error rate (custom errors metric)',
    measure: { kind: 'k6', metric: 'errors', stat: 'rate' },
    op: '<',
    threshold: 0.01,
    unit: 'ratio',
    source: `${GUIDELINES} §2.1 thresholds "'errors': ['rate<0.01']"`,
  },
  {
    id: 'checks_pass_rate',
    title: 'Checks passing',
    measure: { kind: 'k6', metric: 'checks', stat: 'rate' },
    op: '>',
    threshold: 0.99,
    unit: 'ratio',
    source: `${GUIDELINES} Release Criteria "All performance tests pass" (a 1% allowance, as the error rate)`,
  },
  {
    id: 'stress_p95',
    title: 'Any request p95 under stress',
    measure: { kind: 'k6', metric: 'http_req_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 5000,
    unit: 'ms',
    source: `${GUIDELINES} §2.2 Stress Testing thresholds "'http_req_duration': ['p(95)<5000'], // Relaxed for stress"`,
    testType: 'stress',
  },
  {
    id: 'stress_error_rate',
    title: 'HTTP error rate under stress',
    measure: { kind: 'k6', metric: 'http_req_failed', stat: 'rate' },
    op: '<',
    threshold: 0.1,
    unit: 'ratio',
    source: `${GUIDELINES} §2.2 Stress Testing thresholds "'http_req_failed': ['rate<0.1'], // 10% error rate acceptable"`,
    testType: 'stress',
  },
  {
    id: 'target_memory_peak',
    title: 'Target service memory (RSS) at peak',
    measure: { kind: 'target', quantity: 'memory_mb_peak' },
    op: '<',
    threshold: 150,
    unit: 'MB',
    source: `${REQUEST} Scalability Validation: "Memory Usage: < 150MB under peak load conditions"`,
  },
] as const satisfies readonly Sla[];

export type SlaId = (typeof SLA_CATALOGUE)[number]['id'];

/** The soak-specific rules of the guidelines (§2.4 and §1.1 "Degradation Threshold: 10% slowdown"). */
export const SOAK_RULES = {
  /** p95 of the last window against the first: above this ratio of slowdown, warn. */
  degradationWarn: 0.1,
  /** ... and above this one, fail (§2.4 "'no significant degradation': () => degradation < 0.2"). */
  degradationFail: 0.2,
  /**
   * Lab policy, not the guidelines': a slowdown smaller than this many ms is never a degradation.
   * p95 from native histograms has ~9% bucket resolution, and loopback latencies of a few ms
   * jitter by more than 20% between windows; a real slowdown of a service shows in tens of ms.
   */
  degradationMinSlowdownMs: 10,
  /** a linear memory trend over the run above this growth per hour (MB/h) is reported as a leak. */
  memoryLeakMbPerHour: 50,
  source: `${GUIDELINES} §1.1 "Degradation Threshold: 10% slowdown"; §2.4 soak "degradation < 0.2" and "> 0.1" logs`,
} as const;

/**
 * Resilience runs (faults, lab/faults): the time the lab may take to recover from a fault, from its
 * injection until the lab checks are green again and the SLAs hold over a window (--max-recovery).
 */
export const RECOVERY_RULES = {
  maxRecoveryMs: 5 * 60_000,
  /**
   * Lab policy, not the guidelines': the window over which the SLAs must hold again once the lab
   * checks are green (long enough for a few hundred requests at the local soak's 20 VUs).
   */
  holdWindowMs: 10_000,
  source: `${GUIDELINES} §1.1 Reliability: "Recovery Time: < 5 minutes"`,
} as const;

/** The service SLAs: every SLA but a test type's own criteria (what alerts watch all the time). */
export const SERVICE_SLAS: readonly Sla[] = SLA_CATALOGUE.filter((s: Sla) => s.testType === undefined);

/**
 * The SLAs a run is judged on, from the ids its scenario declares: the service SLAs, all of them
 * (a run proves every SLA it measured); but when the scenario declares a test type's criteria
 * (the stress test's relaxed p95 and error rate), exactly what it declares, since that test type
 * is meant to push the service past its everyday SLAs.
 */
export function judgedSlas(scenarioSlaIds: readonly string[]): readonly Sla[] {
  const declared = SLA_CATALOGUE.filter((s: Sla) => scenarioSlaIds.includes(s.id));
  return declared.some((s: Sla) => s.testType !== undefined) ? declared : SERVICE_SLAS;
}

export function slaById(id: SlaId): Sla {
  const sla = SLA_CATALOGUE.find((s) => s.id === id);
  if (!sla) throw new Error(`unknown SLA id "${id}"`);
  return sla;
}
