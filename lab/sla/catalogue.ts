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

/** The real-time transports the realtime scenario tags its latencies with (`transport`). */
export const TRANSPORT_TAG = 'transport';
export const REALTIME_TRANSPORTS = ['websocket', 'sse'] as const;
export type RealtimeTransport = (typeof REALTIME_TRANSPORTS)[number];

/**
 * The pages of the target's web front end (target/src/web) the browser scenario opens, tagged
 * `page` on what it measures per page (load time, bytes): the guidelines' journey login ->
 * dashboard -> career selection.
 */
export const PAGE_TAG = 'page';
export const FRONTEND_PAGES = ['login', 'dashboard', 'careers'] as const;
export type FrontendPage = (typeof FRONTEND_PAGES)[number];

/** Tag filters an SLA may set on a k6 metric (a k6 sub-metric, a Prometheus label filter). */
export interface MeasureTags {
  endpoint?: EndpointGroup;
  transport?: RealtimeTransport;
  page?: FrontendPage;
}

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
  realtimeSessionOk: 'realtime_session_ok', // Rate: a real-time session that stayed connected to its end
  uploadFailed: 'upload_failed', // Rate: an upload that was not accepted intact
  // k6/browser's own Web Vitals (Chromium's web-vitals library, one sample per page)
  webVitalLcp: 'browser_web_vital_lcp',
  webVitalFcp: 'browser_web_vital_fcp',
  webVitalCls: 'browser_web_vital_cls',
  webVitalInp: 'browser_web_vital_inp',
  webVitalTtfb: 'browser_web_vital_ttfb',
  // what the browser scenario measures in the page (scenarios/lib/browser.ts)
  pageLoad: 'page_load_duration', // navigation start -> load event end
  timeToInteractive: 'time_to_interactive',
  timeToCareerSelection: 'time_to_career_selection',
  uiInteraction: 'ui_interaction_duration',
  personalizationDelay: 'personalization_delay',
  pageBytesJavascript: 'page_bytes_javascript', // bytes per page (Resource Timing), by type
  pageBytesCss: 'page_bytes_css',
  pageBytesImages: 'page_bytes_images',
  pageBytesFonts: 'page_bytes_fonts',
  pageBytesTotal: 'page_bytes_total',
} as const;
export type K6MetricName = (typeof K6_METRICS)[keyof typeof K6_METRICS];

/**
 * Which k6 metrics are Trends of time, other Trends (a score, bytes) or Rates: decides the stat and
 * the Prometheus name (time trends `k6_<name>_seconds`, other trends `k6_<name>`, rates
 * `k6_<name>_rate`, as k6 v2.2.0's remote-write output names them).
 */
export type K6MetricKind = 'time-trend' | 'trend' | 'rate';
export const K6_METRIC_KINDS: Record<K6MetricName, K6MetricKind> = {
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
  realtime_session_ok: 'rate',
  upload_failed: 'rate',
  browser_web_vital_lcp: 'time-trend',
  browser_web_vital_fcp: 'time-trend',
  browser_web_vital_cls: 'trend',
  browser_web_vital_inp: 'time-trend',
  browser_web_vital_ttfb: 'time-trend',
  page_load_duration: 'time-trend',
  time_to_interactive: 'time-trend',
  time_to_career_selection: 'time-trend',
  ui_interaction_duration: 'time-trend',
  personalization_delay: 'time-trend',
  page_bytes_javascript: 'trend',
  page_bytes_css: 'trend',
  page_bytes_images: 'trend',
  page_bytes_fonts: 'trend',
  page_bytes_total: 'trend',
};

/** A statistic of a k6 metric, judged with an operator against a threshold. */
export interface K6Measure {
  kind: 'k6';
  metric: K6MetricName;
  /** k6 sub-metric tag filter, e.g. { endpoint: 'api' }. */
  tags?: MeasureTags;
  /**
   * percentile (0 < p <= 100; 100 is the maximum) of a trend (in ms for a time trend), or the rate
   * (0..1) of a Rate metric.
   */
  stat: { percentile: number } | 'rate';
}

/**
 * A property of the target service seen by Prometheus, not by k6, over the run:
 * - memory_mb_peak: the highest resident memory of any target process, in MB;
 * - cpu_limit_peak: the highest CPU use of any target process (its busiest 15 s, or 4 scrapes where
 *   scrapes are slower) as a share of the CPU the process is given (TargetResources);
 * - memory_limit_peak: the highest resident memory as a share of the memory the process is given;
 * - availability: the share of the target's scrapes during the run that found its health probe healthy or
 *   degraded (the target's health is computed at every scrape; a scrape that fails is down).
 */
export interface TargetMeasure {
  kind: 'target';
  quantity: 'memory_mb_peak' | 'cpu_limit_peak' | 'memory_limit_peak' | 'availability';
}

export interface Sla {
  /** stable identifier used in reports, alerts and the summary (snake_case). */
  id: string;
  title: string;
  measure: K6Measure | TargetMeasure;
  op: '<' | '>';
  threshold: number;
  /** 'score': a unitless number (CLS); 'bytes': page weight (the budgets). */
  unit: 'ms' | 'ratio' | 'MB' | 'score' | 'bytes';
  /** where the number comes from, quoted closely enough to find it. */
  source: string;
  /**
   * Set on a test type's own pass criteria (the guidelines relax the service SLAs for a stress
   * test). Such an SLA is judged only in runs whose scenario declares it, and such a run is judged
   * on what its scenario declares alone; it never becomes a standing alert. See judgedSlas.
   */
  testType?: 'stress';
  /** measured in a real browser (the browser scenario, or browser VUs in a hybrid mix): the report's browser section. */
  browser?: true;
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
    id: 'career_selection_p50',
    title: 'Career selection p50',
    measure: { kind: 'k6', metric: 'career_selection_duration', stat: { percentile: 50 } },
    op: '<',
    threshold: 200,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 careerSelection p50 200 (target 'maintain')`,
  },
  {
    id: 'career_selection_p99',
    title: 'Career selection p99',
    measure: { kind: 'k6', metric: 'career_selection_duration', stat: { percentile: 99 } },
    op: '<',
    threshold: 1000,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 careerSelection p99 1000 (target 'maintain')`,
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
    id: 'content_generation_p50',
    title: 'Content generation p50',
    measure: { kind: 'k6', metric: 'content_generation_duration', stat: { percentile: 50 } },
    op: '<',
    threshold: 1000,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 contentGeneration p50 1000`,
  },
  {
    id: 'content_generation_p99',
    title: 'Content generation p99',
    measure: { kind: 'k6', metric: 'content_generation_duration', stat: { percentile: 99 } },
    op: '<',
    threshold: 5000,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 contentGeneration p99 5000`,
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
    id: 'dashboard_p50',
    title: 'Dashboard load p50',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'dashboard' }, stat: { percentile: 50 } },
    op: '<',
    threshold: 800,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 dashboardLoad p50 800 (target 'maintain')`,
  },
  {
    id: 'dashboard_p99',
    title: 'Dashboard load p99',
    measure: { kind: 'k6', metric: 'http_req_duration', tags: { endpoint: 'dashboard' }, stat: { percentile: 99 } },
    op: '<',
    threshold: 3000,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 dashboardLoad p99 3000 (target 'maintain')`,
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
    id: 'flow_state_p50',
    title: 'Flow-state (PathIQ) latency p50',
    measure: { kind: 'k6', metric: 'flow_state_latency', stat: { percentile: 50 } },
    op: '<',
    threshold: 50,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 PathIQ Metrics "flowStateLatency: number;  // < 50ms"; §8.1 pathIQAnalysis p50 50 (§1.2 gives no percentile: read with §8.1, 50 ms is the median and 200 ms the p95)`,
  },
  {
    id: 'flow_state_p99',
    title: 'Flow-state (PathIQ) latency p99',
    measure: { kind: 'k6', metric: 'flow_state_latency', stat: { percentile: 99 } },
    op: '<',
    threshold: 500,
    unit: 'ms',
    source: `${GUIDELINES} §8.1 pathIQAnalysis p99 500 (target 'maintain')`,
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
    id: 'realtime_websocket_p95',
    title: 'WebSocket message delivery p95',
    measure: { kind: 'k6', metric: 'realtime_update_latency', tags: { transport: 'websocket' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 45,
    unit: 'ms',
    source: `${REQUEST} real-time metrics "message_latency: '<45ms (95th percentile)'"; Success Criteria "WebSocket/SSE latency maintained at 45ms"`,
  },
  {
    id: 'realtime_sse_p95',
    title: 'SSE event delivery p95',
    measure: { kind: 'k6', metric: 'realtime_update_latency', tags: { transport: 'sse' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 50,
    unit: 'ms',
    source: `${REQUEST} real-time metrics "sse_latency: '<50ms event delivery'" (no percentile given: p95, as message_latency)`,
  },
  {
    id: 'realtime_connection_stability',
    title: 'Real-time sessions that stayed connected',
    measure: { kind: 'k6', metric: 'realtime_session_ok', stat: 'rate' },
    op: '>',
    threshold: 0.999,
    unit: 'ratio',
    source: `${REQUEST} real-time metrics "connection_stability: '>99.9% uptime'"`,
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
    id: 'upload_error_rate',
    title: 'Upload failure rate',
    measure: { kind: 'k6', metric: 'upload_failed', stat: 'rate' },
    op: '<',
    threshold: 0.005,
    unit: 'ratio',
    source: `${REQUEST} Phase 4 performance_targets "error_rate: '<0.5% upload failure rate'"`,
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
    id: 'cache_hit_rate_under_load',
    title: 'Cache hit rate (cacheable responses), the request\'s target',
    measure: { kind: 'k6', metric: 'cache_hits', stat: 'rate' },
    op: '>',
    threshold: 0.87,
    unit: 'ratio',
    source: `${REQUEST} cache tests "target: 'Maintain >87% cache hit rate under load'"; Success Criteria "Cache Efficiency: >87% hit rate maintained under load"`,
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
    id: 'reliability_error_rate',
    title: 'HTTP error rate, the reliability SLA',
    measure: { kind: 'k6', metric: 'http_req_failed', stat: 'rate' },
    op: '<',
    threshold: 0.001,
    unit: 'ratio',
    source: `${GUIDELINES} §1.1 Reliability "Error Rate: < 0.1%" (the service's SLA; the 1 % of http_error_rate is what the guidelines' k6 scripts and the request's thresholds allow a test run)`,
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
  {
    id: 'target_cpu_peak',
    title: 'Target CPU at peak, share of its CPU limit',
    measure: { kind: 'target', quantity: 'cpu_limit_peak' },
    op: '<',
    threshold: 0.7,
    unit: 'ratio',
    source: `${GUIDELINES} §1.1 Resource Efficiency "CPU Utilization: < 70% at peak"; ${REQUEST} SSE tests "cpu_utilization: '<70% under peak load'"`,
  },
  {
    id: 'target_memory_limit_peak',
    title: 'Target memory (RSS) at peak, share of its memory limit',
    measure: { kind: 'target', quantity: 'memory_limit_peak' },
    op: '<',
    threshold: 0.8,
    unit: 'ratio',
    source: `${GUIDELINES} §1.1 Resource Efficiency "Memory Usage: < 80% at peak"`,
  },
  {
    id: 'availability',
    title: 'Availability over the run (health probed at every scrape)',
    measure: { kind: 'target', quantity: 'availability' },
    op: '>',
    threshold: 0.999,
    unit: 'ratio',
    source: `${GUIDELINES} §1.1 Reliability "Uptime: 99.9% (43.2 min/month)"`,
  },
  {
    id: 'web_vital_lcp_p95',
    title: 'Largest Contentful Paint p95 (browser)',
    measure: { kind: 'k6', metric: 'browser_web_vital_lcp', stat: { percentile: 95 } },
    op: '<',
    threshold: 2500,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 Core Web Vitals "LCP: number;  // Largest Contentful Paint < 2.5s"`,
    browser: true,
  },
  {
    id: 'web_vital_fcp_p95',
    title: 'First Contentful Paint p95 (browser)',
    measure: { kind: 'k6', metric: 'browser_web_vital_fcp', stat: { percentile: 95 } },
    op: '<',
    threshold: 1000,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 "FCP: number;  // First Contentful Paint < 1s"`,
    browser: true,
  },
  {
    id: 'web_vital_cls_p95',
    title: 'Cumulative Layout Shift p95 (browser)',
    measure: { kind: 'k6', metric: 'browser_web_vital_cls', stat: { percentile: 95 } },
    op: '<',
    threshold: 0.1,
    unit: 'score',
    source: `${GUIDELINES} §1.2 Core Web Vitals "CLS: number;  // Cumulative Layout Shift < 0.1"`,
    browser: true,
  },
  {
    id: 'web_vital_inp_p95',
    title: 'Interaction to Next Paint p95 (browser), for FID',
    measure: { kind: 'k6', metric: 'browser_web_vital_inp', stat: { percentile: 95 } },
    op: '<',
    threshold: 100,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 Core Web Vitals "FID: number;  // First Input Delay < 100ms" (Chrome replaced FID by INP in 2024; k6 reports INP, judged against FID's number)`,
    browser: true,
  },
  {
    id: 'web_vital_ttfb_p90',
    title: 'Time to first byte of the page p90 (browser)',
    measure: { kind: 'k6', metric: 'browser_web_vital_ttfb', stat: { percentile: 90 } },
    op: '<',
    threshold: 300,
    unit: 'ms',
    source: `${REQUEST} Phase 1 thresholds "http_req_waiting: ['p(90)<300']" (the documents' only time-to-first-byte number; waiting_p90 judges it on the protocol requests)`,
    browser: true,
  },
  {
    id: 'time_to_interactive_p95',
    title: 'Time to Interactive p95 (browser)',
    measure: { kind: 'k6', metric: 'time_to_interactive', stat: { percentile: 95 } },
    op: '<',
    threshold: 3000,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 Custom Metrics "TTI: number;  // Time to Interactive < 3s"`,
    browser: true,
  },
  {
    id: 'time_to_career_selection_p95',
    title: 'Time to career selection p95 (browser)',
    measure: { kind: 'k6', metric: 'time_to_career_selection', stat: { percentile: 95 } },
    op: '<',
    threshold: 5000,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 Custom Metrics "TTC: number;  // Time to Career (selection) < 5s"`,
    browser: true,
  },
  {
    id: 'ui_interaction_p95',
    title: 'UI interaction response p95 (browser)',
    measure: { kind: 'k6', metric: 'ui_interaction_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 200,
    unit: 'ms',
    source: `${REQUEST} "Mobile App Responsiveness: < 200ms UI interactions"; Phase 3 "Touch interaction response time (<200ms)"`,
    browser: true,
  },
  {
    id: 'personalization_delay_p95',
    title: 'Personalization delay p95 (browser)',
    measure: { kind: 'k6', metric: 'personalization_delay', stat: { percentile: 95 } },
    op: '<',
    threshold: 100,
    unit: 'ms',
    source: `${GUIDELINES} §1.2 PathIQ Metrics "personalizationDelay: number;  // < 100ms"`,
    browser: true,
  },
  {
    id: 'browser_page_load_p95',
    title: 'Page load in a browser p95',
    measure: { kind: 'k6', metric: 'page_load_duration', stat: { percentile: 95 } },
    op: '<',
    threshold: 2000,
    unit: 'ms',
    source: `${GUIDELINES} §1.1 Response Times "Page Load: < 2s (p95)" (page_load_p95 judges it on every protocol request)`,
    browser: true,
  },
  {
    id: 'dashboard_page_load_p95',
    title: 'Dashboard page load in a browser p95',
    measure: { kind: 'k6', metric: 'page_load_duration', tags: { page: 'dashboard' }, stat: { percentile: 95 } },
    op: '<',
    threshold: 3000,
    unit: 'ms',
    source: `${REQUEST} "Dashboard Load Time: < 3s initial page load"`,
    browser: true,
  },
  {
    id: 'budget_javascript',
    title: 'JavaScript per page (budget)',
    measure: { kind: 'k6', metric: 'page_bytes_javascript', stat: { percentile: 100 } },
    op: '<',
    threshold: 204800,
    unit: 'bytes',
    source: `${GUIDELINES} §1.2 performanceBudget "javascript: 200 * 1024,     // 200KB"`,
    browser: true,
  },
  {
    id: 'budget_css',
    title: 'CSS per page (budget)',
    measure: { kind: 'k6', metric: 'page_bytes_css', stat: { percentile: 100 } },
    op: '<',
    threshold: 51200,
    unit: 'bytes',
    source: `${GUIDELINES} §1.2 performanceBudget "css: 50 * 1024,            // 50KB"`,
    browser: true,
  },
  {
    id: 'budget_images',
    title: 'Images per page (budget)',
    measure: { kind: 'k6', metric: 'page_bytes_images', stat: { percentile: 100 } },
    op: '<',
    threshold: 512000,
    unit: 'bytes',
    source: `${GUIDELINES} §1.2 performanceBudget "images: 500 * 1024,        // 500KB per page"`,
    browser: true,
  },
  {
    id: 'budget_fonts',
    title: 'Fonts per page (budget)',
    measure: { kind: 'k6', metric: 'page_bytes_fonts', stat: { percentile: 100 } },
    op: '<',
    threshold: 102400,
    unit: 'bytes',
    source: `${GUIDELINES} §1.2 performanceBudget "fonts: 100 * 1024,         // 100KB"`,
    browser: true,
  },
  {
    id: 'budget_total',
    title: 'Every byte of a page (budget)',
    measure: { kind: 'k6', metric: 'page_bytes_total', stat: { percentile: 100 } },
    op: '<',
    threshold: 1048576,
    unit: 'bytes',
    source: `${GUIDELINES} §1.2 performanceBudget "total: 1024 * 1024,        // 1MB total"`,
    browser: true,
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
