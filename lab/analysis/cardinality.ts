// How many Prometheus series a run makes, and why. Every k6 tag is a label: a tag with a value per
// request (an id in a URL, a name built from one) makes a series per request, and at the
// guidelines' scale (5000 VUs for 8 hours) millions of them — Prometheus runs out of memory long
// before the soak ends, and every query of the verdict slows down with it. The guard
// (lab/run/cardinalityGuard.ts) watches this during the run; the summary reports it at the end.
//
// The levels, from Prometheus' memory per head series — a few KiB for a float series, about
// 10 KiB for a native histogram one over a long run (its chunks hold every bucket):
//   warn  2 000 series: ten times what a catalogue scenario makes (about 200: a few metrics x
//         ~9 request names x statuses), ~20 MiB of head;
//   stop 20 000 series: ~200 MiB of head, a fifth of the cluster Prometheus' 1 GiB request (lab
//         config monitoring.prometheusResources) — stopped while Prometheus and the verdict's
//         queries are still healthy.

import { GROUPED_NAME } from '../k6/urlGrouping.ts';
import type { PrometheusClient } from './prometheusClient.ts';

export const CARDINALITY_LEVELS = { warnSeries: 2000, maxSeries: 20_000 } as const;

export interface CardinalityLevels {
  warnSeries: number;
  maxSeries: number;
}

/** Labels every series of a run has with one value (or few): never the culprit. */
const RUN_LABELS = new Set(['__name__', 'testid', 'instance_id', 'job', 'instance', 'k6_feature_native_histograms', 'scenario']);

export interface SeriesCount {
  series: number;
  /** the label with the most distinct values, when there are enough series to ask. */
  label?: { name: string; values: number };
}

/** The run's series, and — when `explain` — which label has the most values. */
export async function countSeries(client: PrometheusClient, selector: string, explain: boolean, atMs?: number): Promise<SeriesCount> {
  const series = (await client.value(`count({${selector}})`, atMs)) ?? 0;
  if (!explain || series === 0) return { series };
  const names = (await client.labelNames(`{${selector}}`)).filter((l) => !RUN_LABELS.has(l));
  let label: SeriesCount['label'];
  for (const name of names) {
    const values = (await client.value(`count(count by (${name}) ({${selector}}))`, atMs)) ?? 0;
    if (!label || values > label.values) label = { name, values };
  }
  return { series, ...(label ? { label } : {}) };
}

/** What to do about a label with too many values, in a k6 user's words. */
export function cardinalityHint(label: string): string {
  if (label === 'name' || label === 'url') return 'give such requests one name: tags: { name: \'GetOrder\' } (ids in a URL make a series per request)';
  if (label === 'check') return 'a check name with an id in it makes a series per check: keep ids out of check names';
  return `tag ${label} has a value per request: keep ids out of tags`;
}

export interface GroupedName {
  name: string;
  requests: number;
}

/** What summary.json says of a run's series. */
export interface Cardinality extends CardinalityLevels {
  /** series of this run at its end (null when Prometheus could not say). */
  series: number | null;
  /** the label with the most values, when the run went over the warning level. */
  label: SeriesCount['label'] | null;
  /** the guard stopped the runners at the hard limit. */
  stopped: boolean;
  /** k6's url tag reached Prometheus (--url-tag, or the scenario's own systemTags). */
  urlTag: boolean;
  /** request names the lab grouped from their URLs (the scenario set none). */
  groupedNames: GroupedName[];
}

/** Request names the lab grouped (the scenario set none): they hold a placeholder. */
export async function groupedNames(client: PrometheusClient, selector: string, atMs?: number): Promise<GroupedName[]> {
  const rows = await client.query(`sum by (name) (k6_http_reqs_total{${selector}})`, atMs);
  return rows
    .filter((r) => GROUPED_NAME.test(r.labels.name ?? ''))
    .map((r) => ({ name: r.labels.name!, requests: r.value }))
    .sort((a, b) => b.requests - a.requests);
}
