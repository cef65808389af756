// The live cardinality guard: while the runners run, the number of Prometheus series this run has
// made is read every few seconds. Above the warning level the progress line says so, naming the
// label with the most values and what to do; above the hard limit every runner is stopped and the
// run ends as a lab failure naming the label — before Prometheus is in danger.

import { cardinalityHint, countSeries, type CardinalityLevels, type SeriesCount } from '../analysis/cardinality.ts';
import type { PrometheusClient } from '../analysis/prometheusClient.ts';

export interface CardinalityGuard {
  /** the latest count (undefined before the first). */
  latest(): SeriesCount | undefined;
  /** the progress line's warning, when over the warning level. */
  notice(): string | undefined;
  /** stops watching; resolves once a look in flight (naming the label) has finished. */
  stop(): Promise<void>;
}

export function describeSeries(count: SeriesCount, levels: CardinalityLevels): string {
  const label = count.label ? `: label ${count.label.name} has ${count.label.values} values — ${cardinalityHint(count.label.name)}` : '';
  return `${count.series} Prometheus series (warn at ${levels.warnSeries}, stop at ${levels.maxSeries})${label}`;
}

const EXPLAIN_EVERY_MS = 15_000;

export function guardCardinality(opts: {
  client: PrometheusClient;
  selector: string;
  levels: CardinalityLevels;
  /** over the hard limit: stop the runners. */
  onOver: (count: SeriesCount) => void;
  intervalMs?: number;
}): CardinalityGuard {
  let last: SeriesCount | undefined;
  let explainedAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  // Naming the label costs a query per label: done at most every EXPLAIN_EVERY_MS, never before
  // the cheap count has decided — at the limit the runners are stopped first, then explained.
  const explain = async (count: SeriesCount) => {
    explainedAt = Date.now();
    const explained = await countSeries(opts.client, opts.selector, true).catch(() => count);
    last = explained.label ? explained : { ...count, ...(last?.label ? { label: last.label } : {}) };
  };
  const tick = async () => {
    const count = await countSeries(opts.client, opts.selector, false).catch(() => undefined);
    if (stopped) return;
    if (count) last = { ...count, ...(last?.label ? { label: last.label } : {}) };
    if (count && count.series >= opts.levels.maxSeries) {
      stopped = true;
      opts.onOver(count);
      await explain(count);
      return;
    }
    if (count && count.series >= opts.levels.warnSeries && Date.now() - explainedAt >= EXPLAIN_EVERY_MS) await explain(count);
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => (inFlight = tick()), opts.intervalMs ?? 5000);
  };
  schedule();
  return {
    latest: () => last,
    notice: () => (last && last.series >= opts.levels.warnSeries ? `! ${describeSeries(last, opts.levels)}` : undefined),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
