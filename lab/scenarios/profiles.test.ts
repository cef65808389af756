import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROFILE_SHAPES,
  formatDuration,
  parseDuration,
  peakVUs,
  scenarioPeakVUs,
  loadShapeFromEnv,
  shapeScenarios,
  totalDurationMs,
  type LabScenarios,
} from './profiles.ts';

const full: LabScenarios = {
  normal: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '5m', target: 1000 },
      { duration: '30m', target: 1000 },
      { duration: '5m', target: 0 },
    ],
  },
  peak: {
    executor: 'ramping-vus',
    startTime: '10m',
    stages: [
      { duration: '5m', target: 8000 },
      { duration: '15m', target: 8000 },
      { duration: '5m', target: 0 },
    ],
  },
  content: {
    executor: 'ramping-arrival-rate',
    startRate: 10,
    timeUnit: '1s',
    preAllocatedVUs: 50,
    maxVUs: 200,
    stages: [{ duration: '20m', target: 100 }],
  },
  soak: { executor: 'constant-vus', vus: 500, duration: '8h' },
};

test('durations parse and print as k6 writes them', () => {
  assert.equal(parseDuration('8h'), 8 * 3600_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('250'), 250);
  for (const text of ['8h', '1h10m30s', '45s', '1500ms', '2m']) assert.equal(formatDuration(parseDuration(text)), text);
  assert.throws(() => parseDuration('5 minutes', 'DURATION'), /DURATION: "5 minutes" is not a duration/);
});

test('full is the shape as written', () => {
  assert.deepEqual(shapeScenarios(full, { profile: 'full' }), full);
});

for (const profile of ['smoke', 'ci'] as const) {
  test(`${profile} shrinks to its peak VUs and length, keeping every scenario and its proportions`, () => {
    const shape = PROFILE_SHAPES[profile];
    const shaped = shapeScenarios(full, { profile });
    assert.deepEqual(Object.keys(shaped), Object.keys(full));
    // each non-zero count stays >= 1, so the bound is the profile's peak plus one per scenario
    assert.ok(peakVUs(shaped) <= shape.peakVUs! + Object.keys(full).length, `${peakVUs(shaped)} VUs`);
    assert.ok(Math.abs(totalDurationMs(shaped) - shape.durationMs!) <= 5, `${totalDurationMs(shaped)} ms`);
    const ratio = (s: LabScenarios) => {
      const n = s.normal as Extract<LabScenarios[string], { executor: 'ramping-vus' }>;
      return parseDuration(n.stages[1]!.duration) / parseDuration(n.stages[0]!.duration);
    };
    assert.ok(Math.abs(ratio(shaped) / ratio(full) - 1) < 0.02, `${ratio(shaped)} vs ${ratio(full)}`);
    const peak = shaped.peak!;
    assert.ok(peak.startTime && parseDuration(peak.startTime) > 0, 'start offsets are scaled, not dropped');
    const content = shaped.content as Extract<LabScenarios[string], { executor: 'ramping-arrival-rate' }>;
    assert.ok(content.stages[0]!.target >= 1 && content.stages[0]!.target < 100, 'arrival rates scale with the VUs');
  });
}

test('VUS sets the peak over all scenarios, DURATION the total length', () => {
  const shaped = shapeScenarios(full, { profile: 'full', vus: 970, duration: '2h' });
  assert.ok(Math.abs(peakVUs(shaped) - 970) <= Object.keys(full).length, `${peakVUs(shaped)}`);
  assert.equal(totalDurationMs(shaped), 2 * 3600_000);
  assert.equal(scenarioPeakVUs(shaped.peak!) > scenarioPeakVUs(shaped.normal!), true, 'the mix is kept');
  const soakOnly = shapeScenarios({ soak: full.soak! }, { profile: 'full', vus: 5000, duration: '8h' });
  assert.deepEqual(soakOnly, { soak: { executor: 'constant-vus', vus: 5000, duration: '8h' } });
});

test('the environment is validated and names the bad variable', () => {
  assert.deepEqual(loadShapeFromEnv({}), { profile: 'smoke', vus: undefined, duration: undefined });
  assert.deepEqual(loadShapeFromEnv({ PROFILE: 'ci', VUS: '7', DURATION: '90s' }), { profile: 'ci', vus: 7, duration: '90s' });
  assert.throws(() => loadShapeFromEnv({ PROFILE: 'huge' }), /PROFILE: "huge" is not a profile; valid: smoke, ci, full/);
  assert.throws(() => loadShapeFromEnv({ VUS: '0' }), /VUS: "0" is not a positive whole number/);
  assert.throws(() => loadShapeFromEnv({ DURATION: 'soon' }), /DURATION: "soon" is not a duration/);
});

test('a short constant executor keeps the 1 s k6 requires', () => {
  const shaped = shapeScenarios({ long: { executor: 'constant-vus', vus: 10, duration: '3h' }, short: { executor: 'constant-vus', vus: 10, startTime: '1h', duration: '10m' } }, { profile: 'smoke' });
  assert.equal(shaped.short!.executor === 'constant-vus' && parseDuration(shaped.short!.duration), 1000);
});
