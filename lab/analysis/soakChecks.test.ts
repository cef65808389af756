import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOAK_RULES } from '../sla/catalogue.ts';
import {
  degradationCheck, memoryTrendCheck, memorySlopeMbPerHour, soakWindows,
  MIN_LEAK_OBSERVATION_S, MIN_WINDOW_S, MAX_WINDOW_S,
} from './soakChecks.ts';

const MB = 1_048_576;

test('degradation: within the warn ratio passes, above it warns, at the fail ratio fails', () => {
  const first = 100;
  const at = (ratio: number) => degradationCheck(first, first * (1 + ratio), 60).status;
  assert.equal(at(0), 'pass');
  assert.equal(at(-0.3), 'pass'); // faster at the end is no degradation
  assert.equal(at(SOAK_RULES.degradationWarn - 0.01), 'pass');
  assert.equal(at(SOAK_RULES.degradationWarn + 0.01), 'warn');
  assert.equal(at(SOAK_RULES.degradationFail - 0.01), 'warn');
  assert.equal(at(SOAK_RULES.degradationFail), 'fail');
  assert.equal(at(1), 'fail');
});

test('degradation: a slowdown under the noise floor (a few ms) passes however large its ratio', () => {
  const floor = SOAK_RULES.degradationMinSlowdownMs;
  const tiny = degradationCheck(5.7, 7.4, 20); // +30%, 1.7 ms: loopback jitter
  assert.equal(tiny.status, 'pass');
  assert.match(tiny.detail, /within measurement noise/);
  assert.equal(degradationCheck(5, 5 + floor, 20).status, 'fail', 'a slowdown of the floor itself counts');
});

test('degradation value is (last - first) / first and the detail names both windows', () => {
  const check = degradationCheck(80, 100, 30);
  assert.ok(Math.abs(check.value! - 0.25) < 1e-9);
  assert.match(check.detail, /80\.0 ms in the first 30 s, 100\.0 ms in the last 30 s/);
});

test('degradation without both windows is not measured', () => {
  assert.equal(degradationCheck(undefined, 100, 30).status, 'not-measured');
  assert.equal(degradationCheck(100, undefined, 30).status, 'not-measured');
  assert.equal(degradationCheck(100, 120, undefined).status, 'not-measured');
  assert.equal(degradationCheck(0, 120, 30).status, 'not-measured');
});

test('windows: a fifth of the run, clamped, and none when the run cannot hold two', () => {
  assert.equal(soakWindows(0, 30_000), undefined);
  assert.equal(soakWindows(0, 60_000)!.windowS, MIN_WINDOW_S);
  const eightHours = soakWindows(0, 8 * 3_600_000)!;
  assert.equal(eightHours.windowS, MAX_WINDOW_S);
  assert.equal(eightHours.firstEndMs, MAX_WINDOW_S * 1000);
  assert.equal(eightHours.lastEndMs, 8 * 3_600_000);
  assert.equal(soakWindows(1000, 1000 + 300_000)!.windowS, 60);
});

function series(startMs: number, spanS: number, stepS: number, mbStart: number, mbPerHour: number) {
  const samples = [];
  for (let t = 0; t <= spanS; t += stepS) samples.push({ timeMs: startMs + t * 1000, bytes: (mbStart + (mbPerHour * t) / 3600) * MB });
  return samples;
}

test('memory slope is the least-squares trend in MB/h', () => {
  assert.ok(Math.abs(memorySlopeMbPerHour(series(0, 3600, 60, 80, 120)) - 120) < 1e-6);
  assert.equal(memorySlopeMbPerHour(series(0, 3600, 60, 80, 0)), 0);
});

test('memory trend: flat passes; a steady climb over a long run fails as a leak', () => {
  assert.equal(memoryTrendCheck(series(0, 7200, 60, 90, 2), 600_000).status, 'pass');
  const leak = memoryTrendCheck(series(0, 7200, 60, 90, SOAK_RULES.memoryLeakMbPerHour * 2), 600_000);
  assert.equal(leak.status, 'fail');
  assert.ok(leak.value! > SOAK_RULES.memoryLeakMbPerHour);
});

test('memory trend: below the minimum observation it is too short to judge, never a number (a climb, or a falling sawtooth)', () => {
  const shortSpan = MIN_LEAK_OBSERVATION_S / 10;
  const check = memoryTrendCheck(series(0, shortSpan, 5, 60, SOAK_RULES.memoryLeakMbPerHour * 10), undefined);
  assert.equal(check.status, 'not-measured');
  assert.equal(check.value, null);
  assert.match(check.detail, /^too short to judge: 13 memory samples over 60 s \(RSS between 60\.0 and \d+\.\d MB\); a trend needs 600 s$/);
  // the report that started this: RSS falling 98.4 -> 94.9 MB over 40 s once read as +369 MB/h
  const sawtooth = [98.4, 101.2, 104.0, 95.1, 97.9, 100.6, 94.9].map((mb, i) => ({ timeMs: i * 6_666, bytes: mb * MB }));
  assert.equal(memoryTrendCheck(sawtooth, undefined).status, 'not-measured');
});

test('memory trend: a judged trend reports the fit and the figures that support it', () => {
  const check = memoryTrendCheck(series(0, 3600, 60, 80, 30), undefined);
  assert.match(check.detail, /^least-squares fit of 61 samples from 00:00:00 to 01:00:00 UTC \(3600 s\): 80\.0 -> 110\.0 MB fitted, RSS between 80\.0 and 110\.0 MB, trend 30\.0 MB\/h/);
});

test('memory trend: warm-up before the first window ends is left out', () => {
  // a jump at start-up, then flat: with the warm-up left out there is no leak.
  const samples = [
    ...series(0, 60, 5, 40, 3600 * 1.5), // +1.5 MB/s during the first minute
    ...series(65_000, 7200, 60, 130, 0),
  ];
  assert.equal(memoryTrendCheck(samples, 60_000).status, 'pass');
});

test('memory trend with fewer than 3 samples is not measured', () => {
  assert.equal(memoryTrendCheck([], undefined).status, 'not-measured');
  assert.equal(memoryTrendCheck(series(0, 5, 5, 50, 0), undefined).status, 'not-measured');
});
