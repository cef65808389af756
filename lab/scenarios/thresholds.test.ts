import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLA_CATALOGUE, K6_METRIC_KINDS, ENDPOINT_GROUPS, type K6Measure } from '../sla/catalogue.ts';
import { isK6SlaId, slaIdsIn, thresholdsFor, type K6ObjectThreshold } from './thresholds.ts';

const k6Slas = SLA_CATALOGUE.flatMap((s) =>
  s.measure.kind === 'k6' ? [{ id: s.id, op: s.op, threshold: s.threshold, measure: s.measure as K6Measure }] : [],
);

/** Parses `p(95)<200` / `rate>0.8` back into its parts. */
function parseExpression(expression: string) {
  const m = /^(?:p\((\d+(?:\.\d+)?)\)|(rate))([<>])(\d+(?:\.\d+)?)$/.exec(expression);
  assert.ok(m, `"${expression}" is not a k6 threshold expression`);
  return { percentile: m[1] ? Number(m[1]) : undefined, rate: m[2] === 'rate', op: m[3], value: Number(m[4]) };
}

test('every k6 SLA of the catalogue becomes one threshold with its own metric, tag, statistic, operator and number', () => {
  for (const sla of k6Slas) {
    const thresholds = thresholdsFor([sla.id]);
    const keys = Object.keys(thresholds);
    assert.equal(keys.length, 1, sla.id);
    const key = keys[0]!;
    const m = /^([a-z_0-9]+)(?:\{(endpoint|transport|page):([a-z_0-9]+)\})?$/.exec(key);
    assert.ok(m, `${sla.id}: key ${key}`);
    assert.equal(m[1], sla.measure.metric);
    assert.equal(m[3], m[2] === undefined ? undefined : (sla.measure.tags as Record<string, string>)[m[2]]);
    if (m[2] === 'endpoint') assert.ok((ENDPOINT_GROUPS as readonly string[]).includes(m[3]!));
    const [expression] = thresholds[key]!;
    const parsed = parseExpression(expression as string);
    assert.equal(parsed.op, sla.op, sla.id);
    assert.equal(parsed.value, sla.threshold, sla.id);
    if (sla.measure.stat === 'rate') {
      assert.ok(parsed.rate, sla.id);
      assert.equal(K6_METRIC_KINDS[sla.measure.metric], 'rate');
    } else {
      assert.equal(parsed.percentile, sla.measure.stat.percentile, sla.id);
      assert.notEqual(K6_METRIC_KINDS[sla.measure.metric], 'rate');
    }
  }
});

test('SLAs on the same metric share one key, each expression once', () => {
  const sameMetric = k6Slas.filter((s) => s.measure.metric === 'http_req_duration' && !s.measure.tags);
  assert.ok(sameMetric.length >= 2, 'the catalogue has several whole-traffic duration SLAs');
  const ids = sameMetric.map((s) => s.id);
  const thresholds = thresholdsFor([...ids, ...ids]);
  assert.deepEqual(Object.keys(thresholds), ['http_req_duration']);
  assert.equal(new Set(thresholds.http_req_duration).size, thresholds.http_req_duration!.length);
  assert.equal(thresholds.http_req_duration!.length, new Set(sameMetric.map((s) => `${s.op}${s.threshold}`)).size);
});

test('abortOnFail gives object thresholds with the delay (breakpoint tests)', () => {
  const id = k6Slas[0]!.id;
  const thresholds = thresholdsFor([id], { abortOnFail: true, delayAbortEval: '30s' });
  const [entry] = Object.values(thresholds)[0]!;
  const plain = Object.values(thresholdsFor([id]))[0]![0];
  assert.deepEqual(entry as K6ObjectThreshold, { threshold: plain, abortOnFail: true, delayAbortEval: '30s' });
});

test('an unknown id, or an SLA k6 cannot measure, is an error naming it', () => {
  assert.throws(() => thresholdsFor(['nope_p95']), /unknown SLA id "nope_p95"; valid: .*api_p95/);
  const targetSla = SLA_CATALOGUE.find((s) => s.measure.kind !== 'k6')!;
  assert.equal(isK6SlaId(targetSla.id), false);
  assert.throws(() => thresholdsFor([targetSla.id]), new RegExp(`SLA "${targetSla.id}" is measured on the target`));
});

test('slaIdsIn finds back exactly the SLA ids a thresholds object was made from', () => {
  const ids = k6Slas.map((s) => s.id);
  assert.deepEqual(slaIdsIn(thresholdsFor(ids)), ids);
  const some = [ids[3]!, ids[0]!];
  assert.deepEqual(new Set(slaIdsIn(thresholdsFor(some))), new Set(some));
  assert.deepEqual(slaIdsIn({ http_req_duration: ['p(95)<1'] }), []);
});
