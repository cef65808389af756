import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slaById } from '../sla/catalogue.ts';
import { judgeSla } from './slaJudgement.ts';

const apiP95 = slaById('api_p95');
const cacheHits = slaById('cache_hit_rate');

test('a "<" SLA passes below its threshold and fails at or above it', () => {
  assert.equal(judgeSla(apiP95, { value: apiP95.threshold - 1, samples: 10 }).status, 'pass');
  assert.equal(judgeSla(apiP95, { value: apiP95.threshold, samples: 10 }).status, 'fail');
  assert.equal(judgeSla(apiP95, { value: apiP95.threshold + 50, samples: 10 }).status, 'fail');
});

test('a ">" SLA (cache hit rate) passes only above its threshold', () => {
  assert.equal(judgeSla(cacheHits, { value: cacheHits.threshold + 0.01, samples: 100 }).status, 'pass');
  assert.equal(judgeSla(cacheHits, { value: cacheHits.threshold, samples: 100 }).status, 'fail');
});

test('no value, NaN or zero samples is "not-measured" with a null value, never a pass', () => {
  for (const measured of [{}, { value: Number.NaN, samples: 3 }, { value: 12, samples: 0 }]) {
    const result = judgeSla(apiP95, measured);
    assert.equal(result.status, 'not-measured');
    assert.equal(result.value, null);
  }
});

test('the result carries the catalogue fields (id, title, threshold, op, unit, source)', () => {
  const result = judgeSla(apiP95, { value: 12.5, samples: 7 });
  assert.deepEqual(
    { id: result.id, title: result.title, threshold: result.threshold, op: result.op, unit: result.unit, source: result.source, samples: result.samples, value: result.value },
    { id: apiP95.id, title: apiP95.title, threshold: apiP95.threshold, op: apiP95.op, unit: apiP95.unit, source: apiP95.source, samples: 7, value: 12.5 },
  );
});
