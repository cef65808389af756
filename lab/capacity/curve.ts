// The load curve of a run, window by window, and what it says about capacity: the maximum
// sustainable throughput (the highest load at which every judged SLA held for two windows in a
// row) and the first SLA to break, and at what load. Pure: a function of the timeline and the SLAs.
//
// A breach is a window where an SLA's own quantity (p95 of its requests in that window, the error
// ratio in it, ...) is past its threshold in this window and the next one (SATURATION.sustainWindows):
// a single slow window (a garbage collection, a checkpoint) is not where the service broke.

import type { Sla } from '../sla/catalogue.ts';
import { SATURATION } from './settings.ts';
import type { Timeline } from '../timeline/timeline.ts';

export interface CurvePoint {
  /** seconds from the run's start to the window's end. */
  atSeconds: number;
  vus: number | null;
  rps: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
  /** the judged SLAs that failed in this window. */
  failed: string[];
}

export interface FirstBreach {
  sla: string;
  /** the SLA's value in that window, its threshold, and its unit. */
  value: number;
  threshold: number;
  unit: Sla['unit'];
  atRps: number | null;
  atVus: number | null;
  atSeconds: number;
}

export interface CurveAssessment {
  curve: CurvePoint[];
  maxSustainableRps: number | null;
  maxSustainableVus: number | null;
  /** seconds from the start to the end of the sustainable window. */
  maxSustainableAtSeconds: number | null;
  firstBreach: FirstBreach | null;
}

const holds = (sla: Sla, value: number) => (sla.op === '<' ? value < sla.threshold : value > sla.threshold);

export function loadCurve(timeline: Timeline, slas: readonly Sla[], runStartMs: number): CurveAssessment {
  const n = timeline.atMs.length;
  const failedAt = (i: number) => slas.filter((sla) => {
    const v = timeline.slas[sla.id]?.[i];
    return v !== null && v !== undefined && !holds(sla, v);
  });
  const curve: CurvePoint[] = timeline.atMs.map((at, i) => ({
    atSeconds: Math.round((at - runStartMs) / 100) / 10,
    vus: timeline.vus[i] ?? null,
    rps: timeline.rps[i] ?? null,
    p95Ms: timeline.total.p95Ms[i] ?? null,
    p99Ms: timeline.total.p99Ms[i] ?? null,
    errorRate: timeline.errorRate[i] ?? null,
    failed: failedAt(i).map((s) => s.id),
  }));
  const loaded = (i: number) => (curve[i]!.rps ?? 0) > 0;

  let firstBreach: FirstBreach | null = null;
  for (let i = 0; i < n && !firstBreach; i++) {
    if (!loaded(i)) continue;
    for (const id of curve[i]!.failed) {
      // sustained: it fails in the following windows that carry load too (or the run ends here)
      const next = Array.from({ length: SATURATION.sustainWindows - 1 }, (_, k) => i + 1 + k).filter((j) => j < n && loaded(j));
      if (!next.every((j) => curve[j]!.failed.includes(id))) continue;
      const sla = slas.find((s) => s.id === id)!;
      firstBreach = {
        sla: id, value: timeline.slas[id]![i]!, threshold: sla.threshold, unit: sla.unit,
        atRps: curve[i]!.rps, atVus: curve[i]!.vus, atSeconds: curve[i]!.atSeconds,
      };
      break;
    }
  }

  // sustained: held in a window and in the next one that carried load (the lower of the two is what
  // was sustained); a run's last loaded window counts alone
  let best = -1;
  let bestRps = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!loaded(i) || curve[i]!.failed.length > 0) continue;
    let j = i + 1;
    while (j < n && !loaded(j)) j++;
    if (j < n && curve[j]!.failed.length > 0) continue;
    const lower = j < n && curve[j]!.rps! < curve[i]!.rps! ? j : i;
    if (curve[lower]!.rps! > bestRps) {
      best = lower;
      bestRps = curve[lower]!.rps!;
    }
  }
  return {
    curve,
    maxSustainableRps: best >= 0 ? curve[best]!.rps : null,
    maxSustainableVus: best >= 0 ? curve[best]!.vus : null,
    maxSustainableAtSeconds: best >= 0 ? curve[best]!.atSeconds : null,
    firstBreach,
  };
}
