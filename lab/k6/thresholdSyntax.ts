// k6 thresholds as the lab reads them: `options.thresholds` (as `k6 inspect` reports it) parsed
// into metric, tag filter, aggregation, operator and value, and checked against the metric's k6
// type, so a threshold the lab cannot judge across runners is an error before anything starts,
// naming the metric and the expression. Pure.
//
// k6's grammar: the key is `metric` or `metric{tag:value,...}` (the first ':' splits tag and value,
// so `{group:::login}` is the tag `group` with the value `::login`); an expression is
// `<aggregation> <op> <number>`, aggregation one of avg min max med p(N) count rate value, op one
// of < <= > >= == === !=. Trends of time are in milliseconds, as in k6.

import type { K6Thresholds } from '../scenarios/thresholds.ts';

export type K6MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

/** A metric as k6 registers it (its REST API's `/v1/metrics`): type, and what a trend holds. */
export interface K6MetricInfo {
  type: K6MetricType;
  /** 'time' (ms, remote-written as k6_<name>_seconds), 'data' (bytes) or 'default'. */
  contains: 'time' | 'data' | 'default';
}

export type Aggregation =
  | { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' }
  | { kind: 'p'; percentile: number };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ParsedThreshold {
  /** the key as written: `http_req_duration{group:::login}`. */
  key: string;
  metric: string;
  tags: Record<string, string>;
  /** the expression as written: `p(95)<500`. */
  expression: string;
  aggregation: Aggregation;
  op: Operator;
  value: number;
  abortOnFail: boolean;
  /** with abortOnFail: no abort before this much of the run has passed (ms). */
  delayAbortEvalMs: number;
}

/** The aggregations k6 allows per metric type. */
export const AGGREGATIONS: Record<K6MetricType, ReadonlyArray<Aggregation['kind']>> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
};

export class ThresholdError extends Error {}

/** A Prometheus label name: k6 turns every tag into a label of that name. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `metric{tag:value,...}` → metric and tags. */
export function parseThresholdKey(key: string): { metric: string; tags: Record<string, string> } {
  const match = /^([^{}]+?)\s*(?:\{(.*)\})?\s*$/.exec(key);
  if (!match || !METRIC_NAME.test(match[1]!)) {
    throw new ThresholdError(`threshold on "${key}": "${match?.[1] ?? key}" is not a k6 metric name (letters, digits and _)`);
  }
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf(':');
    const tag = at < 0 ? pair : pair.slice(0, at).trim();
    if (at < 0 || !LABEL_NAME.test(tag)) {
      throw new ThresholdError(`threshold on "${key}": "${pair}" is not a tag filter the lab can query ("tag:value", the tag a Prometheus label name)`);
    }
    tags[tag] = pair.slice(at + 1);
  }
  return { metric: match[1]!, tags };
}

function parseDelay(key: string, expression: string, text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const m = DURATION.exec(text.trim());
  if (!m) throw new ThresholdError(`threshold "${expression}" on ${key}: delayAbortEval "${text}" is not a duration (e.g. 10s, 1m)`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** One expression of one key, parsed; an error names both. */
export function parseThreshold(key: string, entry: string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string }): ParsedThreshold {
  const { metric, tags } = parseThresholdKey(key);
  const expression = typeof entry === 'string' ? entry : entry.threshold;
  const m = EXPRESSION.exec(expression);
  if (!m) {
    throw new ThresholdError(`threshold "${expression}" on ${key} is not "<aggregation> <op> <number>" ` +
      `(aggregations avg, min, max, med, p(N), count, rate, value; operators < <= > >= == === !=)`);
  }
  const aggregation: Aggregation = m[2] !== undefined ? { kind: 'p', percentile: Number(m[2]) } : { kind: m[1] as Exclude<Aggregation['kind'], 'p'> };
  if (aggregation.kind === 'p' && !(aggregation.percentile > 0 && aggregation.percentile <= 100)) {
    throw new ThresholdError(`threshold "${expression}" on ${key}: a percentile is between 0 and 100`);
  }
  const object: { abortOnFail?: boolean; delayAbortEval?: string } = typeof entry === 'string' ? {} : entry;
  return {
    key, metric, tags, expression, aggregation, op: m[3] as Operator, value: Number(m[4]),
    abortOnFail: object.abortOnFail === true,
    delayAbortEvalMs: parseDelay(key, expression, object.delayAbortEval),
  };
}

/** Every threshold of a scenario, parsed, in the order written. */
export function parseThresholds(thresholds: K6Thresholds): ParsedThreshold[] {
  return Object.entries(thresholds).flatMap(([key, list]) => list.map((entry) => parseThreshold(key, entry)));
}

/**
 * Why the lab cannot judge a threshold of a metric of this kind across runners (undefined: it
 * can). An unknown metric is named with the metrics the scenario has.
 */
export function thresholdProblem(t: ParsedThreshold, metrics: Readonly<Record<string, K6MetricInfo>>): string | undefined {
  const info = metrics[t.metric];
  if (!info) {
    return `threshold "${t.expression}" on ${t.key}: the scenario has no metric "${t.metric}" (it has: ${Object.keys(metrics).sort().join(', ')})`;
  }
  if (!AGGREGATIONS[info.type].includes(t.aggregation.kind)) {
    return `threshold "${t.expression}" on ${t.key}: ${t.metric} is a ${info.type}, whose aggregations are ${AGGREGATIONS[info.type].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}`;
  }
  return undefined;
}

/** Does `value` satisfy the threshold? */
export function holds(t: Pick<ParsedThreshold, 'op' | 'value'>, value: number): boolean {
  switch (t.op) {
    case '<': return value < t.value;
    case '<=': return value <= t.value;
    case '>': return value > t.value;
    case '>=': return value >= t.value;
    case '==':
    case '===': return value === t.value;
    case '!=': return value !== t.value;
  }
}
