// One SLA of the catalogue judged against what was measured in one run. An SLA whose metric saw
// no samples is "not-measured": a scenario that never called the upload endpoint has not passed
// the upload SLA, and the report must not say it did.

import type { Sla } from '../sla/catalogue.ts';

export type SlaStatus = 'pass' | 'fail' | 'not-measured';

/** What the analysis read for one SLA. */
export interface SlaMeasurement {
  /** in the SLA's unit (ms, ratio, MB); undefined when Prometheus returned nothing or NaN. */
  value?: number;
  /** how many samples the value stands on (requests, checks, scrapes); 0 means not measured. */
  samples?: number;
}

export interface SlaResult {
  id: string;
  title: string;
  value: number | null;
  threshold: number;
  op: Sla['op'];
  unit: Sla['unit'];
  status: SlaStatus;
  samples: number | null;
  source: string;
}

export function judgeSla(sla: Sla, measured: SlaMeasurement): SlaResult {
  const value = measured.value !== undefined && Number.isFinite(measured.value) ? measured.value : undefined;
  const noSamples = measured.samples !== undefined && measured.samples <= 0;
  let status: SlaStatus;
  if (value === undefined || noSamples) status = 'not-measured';
  else status = (sla.op === '<' ? value < sla.threshold : value > sla.threshold) ? 'pass' : 'fail';
  return {
    id: sla.id,
    title: sla.title,
    value: status === 'not-measured' ? null : value!,
    threshold: sla.threshold,
    op: sla.op,
    unit: sla.unit,
    status,
    samples: measured.samples ?? null,
    source: sla.source,
  };
}
