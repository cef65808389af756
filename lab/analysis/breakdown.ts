// Headline figures of a run across all runners, and p95/p99 per endpoint group (the `endpoint`
// tag every scenario request carries), from the native histograms k6 remote-writes.

import { ENDPOINT_TAG } from '../sla/catalogue.ts';
import { httpErrorRatio } from '../sla/promql.ts';
import type { PrometheusClient } from './prometheusClient.ts';

export interface RunBreakdown {
  totals: { requests: number | null; p95Ms: number | null; p99Ms: number | null; errorRate: number | null };
  endpointGroups: Array<{ endpoint: string; requests: number; p95Ms: number | null; p99Ms: number | null }>;
}

const DURATION = 'k6_http_req_duration_seconds';

export function breakdownQueries(selector: string) {
  const series = `${DURATION}{${selector}}`;
  const by = `sum by (${ENDPOINT_TAG}) (${series})`;
  return {
    requests: `sum(k6_http_reqs_total{${selector}})`,
    p95: `1000 * histogram_quantile(0.95, sum(${series}))`,
    p99: `1000 * histogram_quantile(0.99, sum(${series}))`,
    errorRate: httpErrorRatio({ selector, mode: 'run' }),
    groupCount: `histogram_count(${by})`,
    groupP95: `1000 * histogram_quantile(0.95, ${by})`,
    groupP99: `1000 * histogram_quantile(0.99, ${by})`,
  };
}

export async function measureBreakdown(client: PrometheusClient, selector: string, atMs: number): Promise<RunBreakdown> {
  const q = breakdownQueries(selector);
  const [requests, p95, p99, errorRate, counts, p95s, p99s] = await Promise.all([
    client.value(q.requests, atMs),
    client.value(q.p95, atMs),
    client.value(q.p99, atMs),
    client.value(q.errorRate, atMs),
    client.query(q.groupCount, atMs),
    client.query(q.groupP95, atMs),
    client.query(q.groupP99, atMs),
  ]);
  const find = (samples: typeof p95s, endpoint: string) =>
    samples.find((s) => (s.labels[ENDPOINT_TAG] ?? '') === endpoint)?.value ?? null;
  const endpointGroups = counts
    .map((c) => {
      const endpoint = c.labels[ENDPOINT_TAG] ?? '';
      return { endpoint: endpoint || '(untagged)', requests: Math.round(c.value), p95Ms: find(p95s, endpoint), p99Ms: find(p99s, endpoint) };
    })
    .sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  return {
    totals: { requests: requests ?? null, p95Ms: p95 ?? null, p99Ms: p99 ?? null, errorRate: errorRate ?? null },
    endpointGroups,
  };
}
