// A baseline: the comparable figures of one run, stored as baselines/NAME.json (a folder users
// commit with their code), and what makes two runs comparable. Pure: built from the run's summary
// facts, its run stats and its timeline.

import type { Column, RunStat, RunStats, Timeline } from '../timeline/timeline.ts';

export const BASELINE_SCHEMA_VERSION = 1;

/** What must match for two runs to be compared, and what is only noted when it differs. */
export interface RunIdentity {
  scenario: string;
  /** sha256 of the scenario's bundle (the load it offers). */
  bundleHash: string | null;
  profile: string;
  vus: number | null;
  duration: string | null;
  parallelism: number;
  target: 'local' | 'cluster';
  /** the service under test (null: the lab's own target). */
  baseUrl: string | null;
  /** sha256 of the lab config the run used (null: the local lab's built-in topology). */
  labConfigHash: string | null;
  /** the commit the run was made from ("+dirty" when the tree had changes), null outside git. */
  gitCommit: string | null;
}

/** One comparable latency figure: whole-run percentiles and its per-window percentiles. */
export interface Figure extends RunStat {
  /** `total`, `endpoint:<group>`, `metric:<k6 metric>`. */
  id: string;
  /** per-window p95 and p99 (windows with requests only): the run-to-run noise test's samples. */
  windows: { p95Ms: number[]; p99Ms: number[] };
  /** the SLAs judged on this figure's requests. */
  slas: string[];
}

export interface Baseline {
  schemaVersion: typeof BASELINE_SCHEMA_VERSION;
  name: string;
  savedAt: string;
  runId: string;
  identity: RunIdentity;
  windowS: number;
  figures: Figure[];
  /** every SLA as judged in that run. */
  slas: Array<{ id: string; value: number | null; unit: string; status: string; samples: number | null }>;
  /** the scenario's own thresholds as judged in that run. */
  thresholds: Array<{ metric: string; expression: string; value: number | null; unit: string; status: string }>;
  totals: { requests: number | null; rps: number | null; errorRate: number | null };
  /** the whole p95 of every request, window by window (the report overlays it). */
  p95Timeline: { windowS: number; atSeconds: number[]; p95Ms: Column };
}

/** Which SLAs judge which figure (an SLA on http_req_duration with an endpoint tag judges that group). */
export interface SlaOnFigure {
  id: string;
  metric: string;
  endpoint?: string;
}

export function figureOfSla(s: SlaOnFigure): string {
  if (s.metric !== 'http_req_duration') return `metric:${s.metric}`;
  return s.endpoint ? `endpoint:${s.endpoint}` : 'total';
}

/** Per-window percentiles of windows that carried at least `minCount` requests. */
function windowValues(p: Column, count: Column, minCount: number): number[] {
  return p.flatMap((v, i) => (v !== null && Number.isFinite(v) && (count[i] ?? 0) >= minCount ? [v] : []));
}

/** The smallest number of requests a window needs for its percentiles to count in the test. */
export const MIN_WINDOW_REQUESTS = 10;

export function figuresOfRun(stats: RunStats, timeline: Timeline, slas: readonly SlaOnFigure[]): Figure[] {
  return Object.entries(stats).map(([id, s]) => {
    const columns = id === 'total' ? timeline.total
      : id.startsWith('endpoint:') ? timeline.endpoints[id.slice('endpoint:'.length)]
        : timeline.metrics[id.slice('metric:'.length)];
    return {
      id,
      p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms, count: s.count,
      ...(s.rps !== undefined ? { rps: s.rps } : {}),
      ...(s.errorRate !== undefined ? { errorRate: s.errorRate } : {}),
      windows: columns
        ? { p95Ms: windowValues(columns.p95Ms, columns.count, MIN_WINDOW_REQUESTS), p99Ms: windowValues(columns.p99Ms, columns.count, MIN_WINDOW_REQUESTS) }
        : { p95Ms: [], p99Ms: [] },
      slas: slas.filter((x) => figureOfSla(x) === id).map((x) => x.id),
    };
  });
}
