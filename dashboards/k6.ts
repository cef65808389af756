// The k6 dashboard, generated: percentiles from k6's native histograms (they aggregate across
// runners, unlike per-runner percentile gauges), selected by the run's testid. Renders
// dashboards/k6-native-histograms.json (`npx tsx dashboards/k6.ts --write`); a test keeps the
// committed file equal to this source.

import { K6_METRICS } from '../lab/sla/catalogue.ts';
import { k6SeriesName } from '../lab/sla/promql.ts';

const DS = { type: 'prometheus', uid: '${datasource}' };
const RUN = 'testid=~"$testid"';
const duration = k6SeriesName(K6_METRICS.httpReqDuration);

interface Panel {
  id: number;
  title: string;
  type: 'timeseries' | 'stat';
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: typeof DS;
  fieldConfig: { defaults: { unit: string }; overrides: [] };
  targets: Array<{ refId: string; expr: string; legendFormat: string; datasource: typeof DS }>;
}

let nextId = 1;
function panel(title: string, unit: string, pos: Panel['gridPos'], exprs: Array<[string, string]>, type: Panel['type'] = 'timeseries'): Panel {
  return {
    id: nextId++,
    title,
    type,
    gridPos: pos,
    datasource: DS,
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: DS })),
  };
}

const quantile = (q: number, by = '') =>
  `histogram_quantile(${q}, sum${by ? ` by (${by})` : ''}(rate(${duration}{${RUN}}[$__rate_interval])))`;

export function k6Dashboard() {
  nextId = 1;
  return {
    uid: 'perflab-k6-native',
    title: 'perflab / k6 (native histograms)',
    tags: ['perflab', 'k6'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'testid',
          type: 'query',
          datasource: DS,
          query: { query: 'label_values(k6_http_reqs_total, testid)', refId: 'testid' },
          definition: 'label_values(k6_http_reqs_total, testid)',
          refresh: 2,
          includeAll: true,
          multi: true,
          current: {},
        },
      ],
    },
    panels: [
      panel('Requests per second', 'reqps', { x: 0, y: 0, w: 8, h: 8 }, [[`sum by (testid) (rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`, '{{testid}}']]),
      panel('Virtual users', 'short', { x: 8, y: 0, w: 8, h: 8 }, [[`sum by (testid) (k6_vus{${RUN}})`, '{{testid}}']]),
      panel('HTTP error ratio', 'percentunit', { x: 16, y: 0, w: 8, h: 8 }, [[
        `sum(rate(k6_http_reqs_total{${RUN},expected_response="false"}[$__rate_interval]) or vector(0)) / sum(rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`,
        'errors',
      ]]),
      panel('http_req_duration p50 / p95 / p99 (all runners)', 's', { x: 0, y: 8, w: 12, h: 9 }, [
        [quantile(0.5), 'p50'],
        [quantile(0.95), 'p95'],
        [quantile(0.99), 'p99'],
      ]),
      panel('http_req_duration p95 by endpoint', 's', { x: 12, y: 8, w: 12, h: 9 }, [[quantile(0.95, 'endpoint'), '{{endpoint}}']]),
      panel('Checks passing', 'percentunit', { x: 0, y: 17, w: 12, h: 8 }, [[`avg(k6_checks_rate{${RUN}})`, 'checks']]),
      panel('Requests by runner', 'reqps', { x: 12, y: 17, w: 12, h: 8 }, [[`sum by (instance_id) (rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`, 'runner {{instance_id}}']]),
    ],
  };
}

export function renderK6Dashboard(): string {
  return `${JSON.stringify(k6Dashboard(), null, 2)}\n`;
}

if (process.argv.includes('--write') && process.argv[1]?.endsWith('k6.ts')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./k6-native-histograms.json', import.meta.url), renderK6Dashboard());
}
