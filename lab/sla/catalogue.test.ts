import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgedSlas, SERVICE_SLAS, SLA_CATALOGUE } from './catalogue.ts';

const ids = (slas: readonly { id: string }[]) => slas.map((s) => s.id);

test('SLA ids are unique and every SLA names its source', () => {
  assert.equal(new Set(ids(SLA_CATALOGUE)).size, SLA_CATALOGUE.length);
  for (const sla of SLA_CATALOGUE) assert.match(sla.source, /Guidelines|Request/, sla.id);
});

test("the guidelines' stress criteria are in the catalogue, relaxed from the everyday ones", () => {
  const byId = Object.fromEntries(SLA_CATALOGUE.map((s) => [s.id, s]));
  assert.deepEqual([byId.stress_p95!.threshold, byId.stress_error_rate!.threshold], [5000, 0.1]);
  assert.ok(byId.stress_p95!.threshold > byId.page_load_p95!.threshold);
  assert.ok(byId.stress_error_rate!.threshold > byId.http_error_rate!.threshold);
  assert.deepEqual(ids(SLA_CATALOGUE.filter((s) => !SERVICE_SLAS.includes(s))), ['stress_p95', 'stress_error_rate']);
});

test('judgedSlas: every service SLA for an everyday scenario or a plain script, only its own for a stress one', () => {
  assert.deepEqual(ids(judgedSlas([])), ids(SERVICE_SLAS));
  assert.deepEqual(ids(judgedSlas(['api_p95', 'http_error_rate'])), ids(SERVICE_SLAS));
  assert.ok(!ids(judgedSlas(['api_p95'])).includes('stress_p95'), 'a stress criterion judged a load run');
  assert.deepEqual(ids(judgedSlas(['stress_p95', 'stress_error_rate'])), ['stress_p95', 'stress_error_rate']);
  // what the stress scenario declares is judged, in catalogue order, unknown ids aside
  assert.deepEqual(ids(judgedSlas(['stress_error_rate', 'checks_pass_rate', 'nope'])), ['checks_pass_rate', 'stress_error_rate']);
});
