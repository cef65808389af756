// The capacity assessment on a recorded run (fixtures/breakpoint-local.json: the breakpoint
// scenario on the local lab, --vus 500 --duration 2m, stopped by abortOnFail after 71 s; its
// timeline as collectTimeline read it from the lab's Prometheus), and on edits of it that make one
// resource saturate, the load generator saturate, or nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { judgedSlas } from '../sla/catalogue.ts';
import { profileDefaults } from '../config/profiles.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { assessCapacity, type AssessInput } from './assess.ts';
import { loadCurve } from './curve.ts';
import { capacityPlan, costPerTransaction } from './plan.ts';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/breakpoint-local.json', import.meta.url), 'utf8')) as {
  runStartMs: number; scenarioSlas: string[]; timeline: Timeline;
};
const slas = judgedSlas(recorded.scenarioSlas);
const copy = (): Timeline => structuredClone(recorded.timeline);
const input = (timeline: Timeline, extra: Partial<AssessInput> = {}): AssessInput => ({
  timeline, slas, runStartMs: recorded.runStartMs, target: 'local', maxVUs: 500, ...extra,
});

test('recorded breakpoint: sustainable point, the first SLA to break (two windows in a row), the bottleneck', () => {
  const a = assessCapacity(input(copy()));
  assert.equal(a.windowS, 5);
  assert.equal(a.curve.length, 14);
  // the single slow window at 40 s is not the breach; api_p95 fails at 55 s and 60 s
  assert.deepEqual(a.curve[7]!.failed.includes('api_p95'), true);
  assert.equal(a.firstBreach?.sla, 'api_p95');
  assert.equal(a.firstBreach?.atSeconds, 55);
  assert.ok(a.firstBreach!.value > 200);
  // held at 45 s (359 req/s) and 50 s (360 req/s): 359 sustained over two windows
  assert.equal(Math.round(a.maxSustainableRps!), 359);
  assert.equal(a.maxSustainableAtSeconds, 45);
  // the target's event loop lagged while its process used a third of a core: starved of CPU on this shared machine
  assert.equal(a.bottleneck?.resource, 'event-loop');
  assert.match(a.bottleneck!.evidence, /lag p99 \d+ ms .* used only 0\.\d+ core.*shared by the whole lab/);
  assert.equal(a.loadGenerator.saturated, false);
  assert.ok(a.valid);
  assert.ok(a.notMeasured.some((x) => x.startsWith('Postgres CPU')));
});

test('the plan: cores from the CPU per request near the sustainable point, with headroom; users through req/s per VU', () => {
  const a = assessCapacity(input(copy(), { planForRps: 1000, config: { ...profileDefaults('cloud') } }));
  const p = a.plan!;
  assert.equal(p.productionRps, 1000);
  const cpu = p.perRequest.targetCpuSeconds!;
  assert.ok(cpu > 0.0002 && cpu < 0.005, `CPU per request ${cpu}`);
  assert.ok(Math.abs(p.targetCores! - (1000 * cpu) / 0.7) < 1e-9);
  // cloud: a replica may use min(1 core for Node, its 1-core limit)
  assert.equal(p.targetReplicas, Math.max(2, Math.ceil(p.targetCores!)));
  assert.ok(p.redisShards! >= 3);
  assert.equal(p.node.cpuCores, 4);
  assert.ok(p.nodes! >= 1);
  // no price: not computed, and said so
  assert.equal(a.costPerTransactionUsd, null);
  assert.equal(a.cost.status, 'not-computed');
  assert.match(a.cost.detail, /capacity\.nodeHourUsd is not set/);
  const users = assessCapacity(input(copy(), { planForUsers: 10_000 })).plan!;
  assert.ok(Math.abs(users.productionRps - 10_000 * users.perRequest.rpsPerVu!) < 1e-6);
  assert.match(users.basis, /10000 concurrent users/);
});

test('cost per transaction from the node-hour price, judged against $0.001', () => {
  const curve = loadCurve(copy(), slas, recorded.runStartMs);
  const plan = capacityPlan({ timeline: copy(), curve, config: { headroom: 0.3 }, replicaCpuCores: 1, redisShards: 3, node: { cpuCores: 4, memoryMb: 16384, pool: 'app' }, planForRps: 100 })!;
  const cheap = costPerTransaction(plan, { headroom: 0.3, nodeHourUsd: 0.2 });
  assert.equal(cheap.status, 'pass');
  assert.ok(Math.abs(cheap.costPerTransactionUsd! - (plan.nodes! * 0.2) / (100 * 3600)) < 1e-15);
  assert.equal(costPerTransaction(plan, { headroom: 0.3, nodeHourUsd: 1000 }).status, 'fail');
});

test('a target at its CPU limit first is the bottleneck, with the figure and the load', () => {
  const t = copy();
  t.resources.targetCpuMaxProcessCores = t.resources.targetCpuMaxProcessCores!.map((v, i) => (i >= 3 ? 0.97 : v));
  t.resources.eventLoopLagP99Ms = t.resources.eventLoopLagP99Ms!.map(() => 5);
  const a = assessCapacity(input(t));
  assert.equal(a.bottleneck?.resource, 'target-cpu');
  assert.match(a.bottleneck!.evidence, /used 0\.97 of its 1\.00 CPU core\(s\).*, at or over 90 % from 20 s \(156 req\/s\)/);
});

test('a saturated load generator makes the result invalid: said so, and no plan', () => {
  const t = copy();
  // k6 measured far more than the service did: the requests waited on the client's side
  t.resources.serverP95Ms = t.total.p95Ms.map((v) => (v === null ? null : v / 5));
  t.total.p95Ms = t.total.p95Ms.map((v) => (v === null ? null : v + 100));
  const a = assessCapacity(input(t));
  assert.equal(a.loadGenerator.saturated, true);
  assert.match(a.loadGenerator.evidence[0]!, /waited on the load generator's side/);
  assert.equal(a.valid, false);
  assert.equal(a.plan, null);
  // out of VUs: every VU in use and iterations dropped
  const v = copy();
  v.resources.k6VusMax = v.resources.k6VusMax!.map(() => 500);
  v.resources.k6DroppedIterations = v.resources.k6Iterations!.map((x) => (x === null ? null : x));
  assert.match(assessCapacity(input(v)).loadGenerator.evidence.join(), /all 500 VUs in use/);
});

test('a run that never broke: no first breach, the sustainable point is the best pair of windows', () => {
  const t = copy();
  for (const id of Object.keys(t.slas)) t.slas[id] = t.slas[id]!.map((v) => (v === null ? null : 0));
  const a = assessCapacity(input(t));
  assert.equal(a.firstBreach, null);
  const rps = t.rps as number[];
  const pairs = rps.map((r, i) => (i + 1 < rps.length ? Math.min(r, rps[i + 1]!) : r));
  assert.equal(a.maxSustainableRps, Math.max(...pairs));
});

test('a single window that held amid failing ones is not sustained', () => {
  const t = copy();
  // every window fails api_p95 but the busiest one
  const busiest = t.rps.indexOf(Math.max(...(t.rps as number[])));
  t.slas.api_p95 = t.slas.api_p95!.map((v, i) => (i === busiest ? 10 : 900));
  const a = assessCapacity(input(t));
  assert.notEqual(a.maxSustainableAtSeconds, a.curve[busiest]!.atSeconds);
});

test('the load generator is judged on two full windows: the last window of a stopped run alone does not invalidate it', () => {
  const t = copy();
  const last = t.atMs.length - 1;
  t.resources.serverP95Ms = t.total.p95Ms.map((v, i) => (v === null ? null : i === last ? v / 5 : v));
  assert.equal(assessCapacity(input(t)).loadGenerator.saturated, false);
  t.resources.serverP95Ms = t.total.p95Ms.map((v, i) => (v === null ? null : i >= last - 1 ? v / 5 : v));
  assert.equal(assessCapacity(input(t)).loadGenerator.saturated, true);
});

test('cluster: limits from the lab config (the target replica, Postgres instances, the runners); a runner pod at its CPU limit invalidates the run', () => {
  const t = copy();
  t.resources.runnerCpuMaxCores = t.rps.map(() => 1.95);
  t.resources.pgCpuCores = t.rps.map(() => 0.2);
  const a = assessCapacity(input(t, { target: 'cluster', config: profileDefaults('cloud') }));
  assert.ok(a.loadGenerator.evidence.some((e) => /a k6 runner pod used 1\.95 of its 2\.00 CPU core/.test(e)), a.loadGenerator.evidence.join());
  assert.equal(a.valid, false);
  assert.ok(!a.notMeasured.some((x) => x.startsWith('Postgres CPU')));
});
