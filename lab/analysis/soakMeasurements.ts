// Reads what the soak checks need from Prometheus: p95 of every request in the first and the
// last window of the run (all runners), and the target's resident memory over the run.

import { slaById } from '../sla/catalogue.ts';
import { slaQuery, targetMemoryRange } from '../sla/promql.ts';
import type { PrometheusClient } from './prometheusClient.ts';
import { runRange } from './slaMeasurements.ts';
import { degradationCheck, memoryTrendCheck, soakWindows, type SoakCheck, type MemorySample, type SoakWindows } from './soakChecks.ts';

export interface SoakMeasureOptions {
  selector: string;
  targetSelector?: string;
  runStartMs: number;
  runEndMs: number;
  /** the windows to compare; default soakWindows(runStartMs, runEndMs). */
  windows?: SoakWindows;
}

export async function measureSoakChecks(client: PrometheusClient, opts: SoakMeasureOptions): Promise<SoakCheck[]> {
  const windows = opts.windows ?? soakWindows(opts.runStartMs, opts.runEndMs);
  let first: number | undefined;
  let last: number | undefined;
  if (windows) {
    const expr = slaQuery(slaById('all_endpoints_p95'), { selector: opts.selector, mode: 'window', window: `${windows.windowS}s` });
    [first, last] = await Promise.all([client.value(expr, windows.firstEndMs), client.value(expr, windows.lastEndMs)]);
  }
  // Every raw sample of the target's memory over the run; with several target processes (the
  // cluster's replicas) the one with the steepest trend is the one that leaks.
  const series = await client.queryMatrix(targetMemoryRange(opts.targetSelector, runRange(opts.runStartMs, opts.runEndMs)), opts.runEndMs);
  const trends = series.map((s) => memoryTrendCheck(
    s.points.filter((p) => p.timeMs >= opts.runStartMs).map((p): MemorySample => ({ timeMs: p.timeMs, bytes: p.value })),
    windows?.firstEndMs,
  ));
  const rank = (c: SoakCheck) => (c.status === 'not-measured' ? -Infinity : c.value!);
  const memory = trends.sort((a, b) => rank(b) - rank(a))[0] ?? memoryTrendCheck([], undefined);
  return [degradationCheck(first, last, windows?.windowS), memory];
}
