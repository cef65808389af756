// SLA catalogue -> k6 thresholds. Pure and free of Node APIs: the scenario bundles include this
// module (esbuild inlines it with the catalogue), so the thresholds k6 evaluates are computed
// from the catalogue itself and never retyped in a scenario.

import { SLA_CATALOGUE, type K6Measure } from '../sla/catalogue.ts';

type CatalogueSla = (typeof SLA_CATALOGUE)[number];
/** SLA ids k6 can judge by itself (the others, e.g. target memory, are judged from Prometheus). */
export type K6SlaId = Extract<CatalogueSla, { measure: { kind: 'k6' } }>['id'];

/** k6 object-form threshold (same shape as @types/k6 ObjectThreshold). */
export interface K6ObjectThreshold {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string;
}
export type K6Thresholds = Record<string, Array<string | K6ObjectThreshold>>;

export interface ThresholdOptions {
  /** stop the whole test as soon as one of these thresholds fails (the breakpoint test). */
  abortOnFail?: boolean;
  /** with abortOnFail: let this much data accumulate before a failure may abort (k6 duration). */
  delayAbortEval?: string;
}

const K6_SLA_IDS: ReadonlySet<string> = new Set(
  SLA_CATALOGUE.filter((s) => s.measure.kind === 'k6').map((s) => s.id),
);

export function isK6SlaId(id: string): id is K6SlaId {
  return K6_SLA_IDS.has(id);
}

/** The k6 metric key of an SLA: `metric` or `metric{endpoint:group}` (a k6 sub-metric; several tags comma-separated). */
export function thresholdKey(measure: K6Measure): string {
  const tags = Object.entries(measure.tags ?? {}).filter(([, value]) => value !== undefined);
  return tags.length === 0 ? measure.metric : `${measure.metric}{${tags.map(([key, value]) => `${key}:${value}`).join(',')}}`;
}

/** The k6 threshold expression of an SLA: `p(95)<200`, `rate<0.01`, `rate>0.8`, `p(100)<204800` (the maximum). */
export function thresholdExpression(measure: K6Measure, op: '<' | '>', threshold: number): string {
  const stat = measure.stat === 'rate' ? 'rate' : `p(${measure.stat.percentile})`;
  return `${stat}${op}${threshold}`;
}

/**
 * k6 `options.thresholds` for the given SLA ids, e.g.
 * `{ 'http_req_duration{endpoint:api}': ['p(95)<200'] }`. SLAs on the same metric share a key.
 * An id that is not in the catalogue, or not judged by k6, is an error naming it.
 */
export function thresholdsFor(slaIds: readonly string[], options: ThresholdOptions = {}): K6Thresholds {
  const thresholds: K6Thresholds = {};
  for (const id of slaIds) {
    const sla = SLA_CATALOGUE.find((s) => s.id === id);
    if (!sla) {
      throw new Error(`unknown SLA id "${id}"; valid: ${SLA_CATALOGUE.map((s) => s.id).join(', ')}`);
    }
    if (sla.measure.kind !== 'k6') {
      throw new Error(
        `SLA "${id}" is measured on the target (${sla.measure.quantity}), not by k6: the analysis judges it from Prometheus; ` +
          `k6 SLA ids: ${[...K6_SLA_IDS].join(', ')}`,
      );
    }
    const key = thresholdKey(sla.measure);
    const expression = thresholdExpression(sla.measure, sla.op, sla.threshold);
    const entry: string | K6ObjectThreshold = options.abortOnFail
      ? { threshold: expression, abortOnFail: true, ...(options.delayAbortEval ? { delayAbortEval: options.delayAbortEval } : {}) }
      : expression;
    const list = (thresholds[key] ??= []);
    const already = list.some((t) => (typeof t === 'string' ? t : t.threshold) === expression);
    if (!already) list.push(entry);
  }
  return thresholds;
}

/** The SLA whose own threshold is this key and expression (a scenario built from the catalogue), if any. */
export function slaOfThreshold(key: string, expression: string): K6SlaId | undefined {
  for (const sla of SLA_CATALOGUE) {
    if (sla.measure.kind !== 'k6' || !isK6SlaId(sla.id)) continue;
    if (thresholdKey(sla.measure) === key && thresholdExpression(sla.measure, sla.op, sla.threshold) === expression) return sla.id;
  }
  return undefined;
}

/** The SLA ids whose threshold (key and expression) appears in a k6 thresholds object. */
export function slaIdsIn(thresholds: K6Thresholds): K6SlaId[] {
  const present = new Set(Object.entries(thresholds).flatMap(([key, list]) =>
    list.map((t) => slaOfThreshold(key, typeof t === 'string' ? t : t.threshold)).filter((id) => id !== undefined)));
  return SLA_CATALOGUE.map((s) => s.id).filter((id): id is K6SlaId => present.has(id as K6SlaId));
}
