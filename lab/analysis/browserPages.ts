// What a run's browser VUs saw of each page (the `page` tag of the browser journey's metrics,
// scenarios/lib/browser.ts): how often it was loaded, its bytes by type — the mean over its loads,
// exact from the summed native histograms' sum / count (a page's assets are the same at every
// load, so the mean is the page's weight) — and its load time p95. Across every runner, from
// Prometheus, for the report's browser section. Empty when no browser VU ran.

import { K6_METRICS, PAGE_TAG } from '../sla/catalogue.ts';
import { k6SeriesName } from '../sla/promql.ts';
import type { PrometheusClient } from './prometheusClient.ts';

export const PAGE_BYTE_TYPES = ['javascript', 'css', 'images', 'fonts', 'total'] as const;
export type PageByteType = (typeof PAGE_BYTE_TYPES)[number];

const BYTES_METRIC: Record<PageByteType, keyof typeof K6_METRICS> = {
  javascript: 'pageBytesJavascript', css: 'pageBytesCss', images: 'pageBytesImages', fonts: 'pageBytesFonts', total: 'pageBytesTotal',
};

export interface BrowserPage {
  page: string;
  /** page loads measured (the browser journey's page_load_duration samples). */
  loads: number;
  /** bytes by type, the mean over the page's loads. */
  bytes: Record<PageByteType, number | null>;
  loadP95Ms: number | null;
}

export function browserPageQueries(selector: string) {
  const sel = (metric: keyof typeof K6_METRICS) => `${k6SeriesName(K6_METRICS[metric])}{${selector}}`;
  const by = `sum by (${PAGE_TAG})`;
  return {
    loads: `histogram_count(${by} (${sel('pageLoad')}))`,
    loadP95: `1000 * histogram_quantile(0.95, ${by} (${sel('pageLoad')}))`,
    bytes: Object.fromEntries(PAGE_BYTE_TYPES.map((t) => [t,
      `histogram_sum(${by} (${sel(BYTES_METRIC[t])})) / histogram_count(${by} (${sel(BYTES_METRIC[t])}))`])) as Record<PageByteType, string>,
  };
}

export async function measureBrowserPages(client: PrometheusClient, selector: string, atMs: number): Promise<BrowserPage[]> {
  const q = browserPageQueries(selector);
  const loads = await client.query(q.loads, atMs);
  if (loads.length === 0) return [];
  const byPage = (samples: Array<{ labels: Record<string, string>; value: number }>) =>
    new Map(samples.map((s) => [s.labels[PAGE_TAG] ?? '', Number.isFinite(s.value) ? s.value : null]));
  const [p95, ...bytes] = await Promise.all([client.query(q.loadP95, atMs), ...PAGE_BYTE_TYPES.map((t) => client.query(q.bytes[t], atMs))]);
  const p95ByPage = byPage(p95!);
  const bytesByPage = PAGE_BYTE_TYPES.map((_, i) => byPage(bytes[i]!));
  return loads
    .map((l) => {
      const page = l.labels[PAGE_TAG] ?? '';
      return {
        page,
        loads: Math.round(l.value),
        bytes: Object.fromEntries(PAGE_BYTE_TYPES.map((t, i) => [t, bytesByPage[i]!.get(page) ?? null])) as Record<PageByteType, number | null>,
        loadP95Ms: p95ByPage.get(page) ?? null,
      };
    })
    .sort((a, b) => a.page.localeCompare(b.page));
}
