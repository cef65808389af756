// A stress run is judged on the guidelines' relaxed stress criteria alone (§2.2: p95 < 5 s, errors
// < 10 %), measured for real from Prometheus; the everyday SLAs, which a stress test is meant to
// break, are not in its verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import { newResultsDir, onlyRunDir, readSummary, runScript } from './scripts.ts';

test('run stress (smoke): the verdict holds stress_p95 and stress_error_rate only, both measured and passing', { timeout: 150_000 }, async () => {
  const results = newResultsDir();
  const run = await runScript('run.mjs', ['stress', '--profile', 'smoke', '--results-dir', results]);
  assert.equal(run.code, EXIT_CODES.pass, run.stderr + run.stdout);
  const s = readSummary(onlyRunDir(results));
  assert.deepEqual(s.scenarioSlas, ['stress_p95', 'stress_error_rate']);
  assert.deepEqual(s.slas.map((x) => [x.id, x.status]), [['stress_p95', 'pass'], ['stress_error_rate', 'pass']]);
  const p95 = s.slas.find((x) => x.id === 'stress_p95')!;
  assert.ok(p95.value! > 0 && p95.samples! > 0 && p95.samples === s.totals.requests, `p95 ${p95.value} ms over ${p95.samples} samples`);
  assert.match(run.stdout, /verdict: PASS/);
  rmSync(results, { recursive: true, force: true });
});
