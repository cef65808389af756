import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holds, parseThreshold, parseThresholdKey, parseThresholds, thresholdProblem, ThresholdError, type K6MetricInfo } from './thresholdSyntax.ts';

test('keys: metric and tag filters, the first colon splitting tag and value (k6\'s group:::login)', () => {
  assert.deepEqual(parseThresholdKey('http_req_duration'), { metric: 'http_req_duration', tags: {} });
  assert.deepEqual(parseThresholdKey('http_req_duration{group:::login}'), { metric: 'http_req_duration', tags: { group: '::login' } });
  assert.deepEqual(parseThresholdKey('http_req_duration{name:http://x/a?b=c, expected_response:true}'),
    { metric: 'http_req_duration', tags: { name: 'http://x/a?b=c', expected_response: 'true' } });
  assert.throws(() => parseThresholdKey('http-req{a:b}'), /"http-req" is not a k6 metric name/);
  assert.throws(() => parseThresholdKey('http_reqs{my-tag:x}'), /"my-tag:x" is not a tag filter the lab can query/);
});

test('expressions: every aggregation and operator k6 takes; object form with abortOnFail and delayAbortEval', () => {
  const t = parseThreshold('http_req_duration', 'p(99.9) <= 1500');
  assert.deepEqual([t.aggregation, t.op, t.value], [{ kind: 'p', percentile: 99.9 }, '<=', 1500]);
  for (const [expr, kind] of [['avg<200', 'avg'], ['med>=1', 'med'], ['count>10', 'count'], ['rate<0.01', 'rate'], ['value==5', 'value'], ['max!=3', 'max']]) {
    assert.equal(parseThreshold('m', expr!).aggregation.kind, kind);
  }
  const o = parseThreshold('checks', { threshold: 'rate>0.99', abortOnFail: true, delayAbortEval: '10s' });
  assert.deepEqual([o.abortOnFail, o.delayAbortEvalMs, o.expression], [true, 10_000, 'rate>0.99']);
  assert.equal(parseThreshold('checks', 'rate>0.99').abortOnFail, false);
  assert.throws(() => parseThreshold('http_req_duration', 'p95<3'), (e: unknown) =>
    e instanceof ThresholdError && /threshold "p95<3" on http_req_duration is not "<aggregation> <op> <number>"/.test(e.message));
  assert.throws(() => parseThreshold('m', 'p(150)<3'), /a percentile is between 0 and 100/);
  assert.throws(() => parseThreshold('m', { threshold: 'avg<3', abortOnFail: true, delayAbortEval: 'soon' }), /delayAbortEval "soon" is not a duration/);
  assert.equal(parseThresholds({ a: ['avg<1', 'max<2'], b: ['count>0'] }).length, 3);
});

test('a threshold the lab cannot judge names the metric, the expression and what would be valid', () => {
  const metrics: Record<string, K6MetricInfo> = { my_rate: { type: 'rate', contains: 'default' }, http_reqs: { type: 'counter', contains: 'default' } };
  assert.match(thresholdProblem(parseThreshold('my_rate', 'p(95)<1'), metrics)!, /threshold "p\(95\)<1" on my_rate: my_rate is a rate, whose aggregations are rate/);
  assert.match(thresholdProblem(parseThreshold('nosuch', 'avg<1'), metrics)!, /the scenario has no metric "nosuch" \(it has: http_reqs, my_rate\)/);
  assert.equal(thresholdProblem(parseThreshold('http_reqs', 'rate>5'), metrics), undefined);
});

test('operators compare as k6 does', () => {
  const at = (op: string, value: number, x: number) => holds(parseThreshold('m', `avg${op}${value}`), x);
  assert.equal(at('<', 5, 4.99), true);
  assert.equal(at('<', 5, 5), false);
  assert.equal(at('<=', 5, 5), true);
  assert.equal(at('>', 5, 5), false);
  assert.equal(at('===', 5, 5), true);
  assert.equal(at('!=', 5, 5), false);
});
