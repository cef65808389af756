// abortOnFail across all runners: while the runners run, the thresholds marked abortOnFail are
// judged over all of them every few seconds (once their delayAbortEval has passed), and the first
// that fails stops every runner — not only the one whose slice tripped, as k6 on its own would.
// The runners themselves run with --no-thresholds (lab/k6/runnerContract.ts).

import { judgeThresholds } from '../analysis/thresholds.ts';
import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import type { ThresholdAbort } from '../analysis/verdict.ts';
import type { K6MetricInfo, ParsedThreshold } from '../k6/thresholdSyntax.ts';

export interface ThresholdWatch {
  stop(): void;
}

export function watchAbortThresholds(opts: {
  client: PrometheusClient;
  thresholds: readonly ParsedThreshold[];
  metrics: Readonly<Record<string, K6MetricInfo>>;
  selector: string;
  startMs: number;
  onAbort: (abort: ThresholdAbort) => void;
  /** how often to judge (default 5 s: the cluster runners push every 5 s). */
  intervalMs?: number;
}): ThresholdWatch {
  const watched = opts.thresholds.filter((t) => t.abortOnFail);
  let stopped = watched.length === 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const atMs = Date.now();
    const due = watched.filter((t) => atMs - opts.startMs >= t.delayAbortEvalMs);
    const results = due.length === 0 ? [] : await judgeThresholds(opts.client, due, opts.metrics, {
      selector: opts.selector, runStartMs: opts.startMs, atMs, summaries: [],
    }).catch(() => []); // Prometheus briefly unreachable: judge at the next tick
    if (stopped) return;
    const failed = results.find((r) => r.status === 'fail');
    if (failed) {
      stopped = true;
      opts.onAbort({ metric: failed.metric, expression: failed.expression, value: failed.value, unit: failed.unit, afterMs: atMs - opts.startMs });
      return;
    }
    timer = setTimeout(() => void tick(), opts.intervalMs ?? 5000);
  };
  if (!stopped) timer = setTimeout(() => void tick(), opts.intervalMs ?? 5000);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
