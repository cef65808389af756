// Reads what the soak checks need from Prometheus: p95 of every request in the first and the
// last window of the run (all runners), and the target's resident memory over the run.

import { slaById } from '../sla/catalogue.ts';
import { slaQuery, DEFAULT_TARGET_SELECTOR } from '../sla/promql.ts';
import type { PrometheusClient } from './prometheusClient.ts';
import { degradationCheck, memoryTrendCheck, soakWindows, type SoakCheck, type MemorySample } from './soakChecks.ts';

export interface SoakMeasureOptions {
  selector: string;
  targetSelector?: string;
  runStartMs: number;
  runEndMs: number;
}

/** How often the memory trend is sampled: about 60 points over the run, never under 5 s. */
export function memoryStepS(runStartMs: number, runEndMs: number): number {
  return Math.max(5, Math.round((runEndMs - runStartMs) / 1000 / 60));
}

export async function measureSoakChecks(client: PrometheusClient, opts: SoakMeasureOptions): Promise<SoakCheck[]> {
  const windows = soakWindows(opts.runStartMs, opts.runEndMs);
  let first: number | undefined;
  let last: number | undefined;
  if (windows) {
    const expr = slaQuery(slaById('all_endpoints_p95'), { selector: opts.selector, mode: 'window', window: `${windows.windowS}s` });
    [first, last] = await Promise.all([client.value(expr, windows.firstEndMs), client.value(expr, windows.lastEndMs)]);
  }
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  const series = await client.queryRange(
    `max(process_resident_memory_bytes{${selector}})`,
    opts.runStartMs,
    opts.runEndMs,
    memoryStepS(opts.runStartMs, opts.runEndMs),
  );
  const samples: MemorySample[] = (series[0]?.points ?? []).map((p) => ({ timeMs: p.timeMs, bytes: p.value }));
  return [degradationCheck(first, last, windows?.windowS), memoryTrendCheck(samples, windows?.firstEndMs)];
}
