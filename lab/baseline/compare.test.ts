// The regression decision on recorded runs (fixtures/: three 25-s local soaks at 10 VUs, the
// comparable figures their summary.json kept): the same target twice is not flagged, the target
// slowed by 50 ms (--target-latency-ms 50) is, at the runbook's level 2; and the rules one by one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Baseline, Figure } from './baseline.ts';
import { comparability, compareFigures, compareWithBaseline, REGRESSION_POLICY, runbookLevel } from './compare.ts';
import { mannWhitneyGreater } from './mannWhitney.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Baseline;
const a = fixture('soak-a');
const same = fixture('soak-b-same-target');
const slowed = fixture('soak-c-slowed-50ms');

test('the same target twice is not flagged: every figure within the noise', () => {
  const c = compareFigures(a.figures, same.figures);
  assert.deepEqual(c.regressions, [], JSON.stringify(c.regressions));
  assert.deepEqual(c.improvements, []);
  assert.ok(c.unchanged >= 8, `compared ${c.unchanged}`);
});

test('a target slowed by 50 ms is flagged on every figure it slowed, runbook level 2, with the windows test', () => {
  const c = compareFigures(a.figures, slowed.figures);
  const ids = c.regressions.map((r) => `${r.id} ${r.stat}`);
  for (const id of ['total p95', 'total p99', 'endpoint:api p95', 'endpoint:dashboard p95']) assert.ok(ids.includes(id), `${id} not flagged: ${ids.join(', ')}`);
  for (const r of c.regressions) {
    assert.equal(r.level, 2, `${r.id} ${r.stat} +${r.changePct}`);
    assert.ok(r.after - r.before >= 40, `${r.id}: ${r.before} -> ${r.after}`);
    assert.ok(r.pValue !== null && r.pValue < REGRESSION_POLICY.alpha);
  }
  assert.deepEqual(c.regressions.find((r) => r.id === 'endpoint:api' && r.stat === 'p95')!.slas, ['api_p95']);
  // and the other way round it is an improvement, never a regression
  const back = compareFigures(slowed.figures, a.figures);
  assert.equal(back.regressions.length, 0);
  assert.equal(back.improvements.length, c.regressions.length);
});

const figure = (p95: number, windows: number[], count = 1000): Figure => ({
  id: 'total', p50Ms: p95 / 2, p95Ms: p95, p99Ms: p95 + 1, count, windows: { p95Ms: windows, p99Ms: windows.map((w) => w + 1) }, slas: [],
});

test('each rule is needed: over 10 %, at least the minimum effect, and the windows test', () => {
  const base = figure(100, [98, 99, 100, 101, 102, 100]);
  // +9 %: under the release criterion
  assert.equal(compareFigures([base], [figure(109, [107, 108, 109, 110, 111, 109])]).regressions.length, 0);
  // +30 % of 20 ms = 6 ms: under the minimum effect (20 ms on a p95)
  assert.equal(compareFigures([figure(20, [19, 20, 21, 20, 20])], [figure(26, [25, 26, 27, 26, 26])]).regressions.length, 0);
  // +30 % whole-run, but the windows overlap (one slow window): not significant
  assert.equal(compareFigures([base], [figure(130, [97, 99, 101, 103, 100, 250])]).regressions.length, 0);
  // +30 % and every window slower: a regression, level 1 (the p99's +30 ms is under its 50-ms floor)
  const flagged = compareFigures([base], [figure(130, [125, 128, 130, 131, 133, 129])]).regressions;
  assert.deepEqual(flagged.map((r) => r.stat), ['p95']);
  assert.equal(flagged[0]!.level, 1);
  // too few windows to test: decided on the first two rules, and said so
  const few = compareFigures([figure(100, [100, 100])], [figure(200, [200, 200])]).regressions[0]!;
  assert.equal(few.pValue, null);
  // too few requests: not compared
  assert.match(compareFigures([figure(100, [100], 50)], [figure(300, [300], 50)]).skipped[0]!, /too few requests/);
  // a configurable threshold
  assert.equal(compareFigures([base], [figure(130, [125, 128, 130, 131, 133, 129])], { ...REGRESSION_POLICY, maxChangePct: 40 }).regressions.length, 0);
});

test('runbook levels: > 20 % level 1, > 50 % level 2', () => {
  assert.deepEqual([5, 15, 21, 50, 51, 300].map(runbookLevel), [0, 0, 1, 1, 2, 2]);
});

test('the rank test: exact tails for small samples, normal with ties', () => {
  assert.equal(mannWhitneyGreater([1, 2, 3], [4, 5, 6]).pValue, 0.05);
  assert.ok(Math.abs(mannWhitneyGreater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pValue - 1 / 252) < 1e-12);
  assert.ok(Math.abs(mannWhitneyGreater([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]).pValue - 0.3452) < 1e-3);
  const tied = mannWhitneyGreater([1, 1, 2, 2, 3, 3], [3, 3, 4, 4, 5, 5]);
  assert.equal(tied.method, 'normal');
  assert.ok(tied.pValue < 0.01);
});

test('runs that are not comparable are refused with the reason, or compared with --force-compare and a note', () => {
  const other = { ...a.identity, scenario: 'load', vus: 50 };
  const { refusals } = comparability(a.identity, other);
  assert.equal(refusals.length, 2);
  assert.match(refusals.join(';'), /another scenario: baseline "soak", this run "load"/);
  const refused = compareWithBaseline(a, 'baselines/a.json', { identity: other, figures: slowed.figures }, { force: false });
  assert.equal(refused.regressions.length, 0);
  assert.equal(refused.refused.length, 2);
  const forced = compareWithBaseline(a, 'baselines/a.json', { identity: other, figures: slowed.figures }, { force: true });
  assert.ok(forced.forced && forced.regressions.length > 0);
  assert.match(forced.notes[0]!, /^forced \(--force-compare\): another scenario/);
  // a new commit is what a comparison is for: noted, never refused
  assert.equal(comparability(a.identity, { ...a.identity, gitCommit: 'abc' }).refusals.length, 0);
});

test('the minimum effect, from repeated runs: 8 soaks of the same target, every ordered pair within the noise; the slowed target flagged against each', () => {
  const { runs } = JSON.parse(readFileSync(new URL('./fixtures/repeats/same-target-8-runs.json', import.meta.url), 'utf8')) as { runs: Baseline[] };
  assert.equal(runs.length, 8);
  let widest = { p95: 0, p99: 0 };
  for (const x of runs) {
    for (const y of runs) {
      if (x === y) continue;
      assert.deepEqual(compareFigures(x.figures, y.figures).regressions.map((r) => `${r.id} ${r.stat}`), [], `${x.runId} -> ${y.runId}`);
      for (const stat of ['p95', 'p99'] as const) {
        const key = stat === 'p95' ? 'p95Ms' : 'p99Ms';
        for (const f of x.figures) {
          const g = y.figures.find((h) => h.id === f.id);
          if (f[key] !== null && g?.[key] !== null && g?.[key] !== undefined) widest = { ...widest, [stat]: Math.max(widest[stat], Math.abs(f[key]! - g[key]!)) };
        }
      }
    }
    assert.ok(compareFigures(x.figures, slowed.figures).regressions.some((r) => r.id === 'total' && r.stat === 'p95'), x.runId);
  }
  // the floors sit above the widest same-target difference of each statistic
  assert.ok(widest.p95 < REGRESSION_POLICY.minEffectMs.p95 && widest.p95 > 10, `p95 ${widest.p95}`);
  assert.ok(widest.p99 < REGRESSION_POLICY.minEffectMs.p99 && widest.p99 > 25, `p99 ${widest.p99}`);
  // without the floor (the rank test and 10 % alone), the same target would be flagged: the floor is needed
  const noFloor = { ...REGRESSION_POLICY, minEffectMs: { p95: 0, p99: 0 } };
  assert.ok(runs.some((x) => runs.some((y) => x !== y && compareFigures(x.figures, y.figures, noFloor).regressions.length > 0)));
});
