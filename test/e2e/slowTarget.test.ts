// The lab's target slowed down on purpose (TARGET_INJECT_LATENCY_MS, via --target-latency-ms):
// the run must fail on the latency SLAs (api_p95, all_endpoints_p95), with the SLA-failure exit
// code, and not because of the lab.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { slaById } from '../../lab/sla/catalogue.ts';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import { newResultsDir, onlyRunDir, readSummary, runScript } from './scripts.ts';

const LATENCY_MS = slaById('all_endpoints_p95').threshold + 100;

test(`a target slowed by ${LATENCY_MS} ms fails api_p95 and all_endpoints_p95 with exit 1`, { timeout: 150_000 }, async () => {
  const results = newResultsDir();
  const run = await runScript('run-soak.mjs', ['--duration', '20s', '--vus', '10', '--target-latency-ms', String(LATENCY_MS), '--results-dir', results]);
  assert.equal(run.code, EXIT_CODES.slaFailure, run.stderr + run.stdout);
  const s = readSummary(onlyRunDir(results));
  assert.equal(s.verdict.kind, 'sla-failure');
  const failed = s.slas.filter((x) => x.status === 'fail').map((x) => x.id);
  for (const id of ['api_p95', 'all_endpoints_p95']) assert.ok(failed.includes(id), `${id} did not fail; failed: ${failed.join(', ')}`);
  const api = s.slas.find((x) => x.id === 'api_p95')!;
  assert.ok(api.value! >= LATENCY_MS, `api p95 ${api.value} ms below the injected ${LATENCY_MS} ms`);
  // the generous SLAs still pass: the verdict names what broke, not everything
  assert.equal(s.slas.find((x) => x.id === 'report_request_p95')!.status, 'pass');
  assert.equal(s.slas.find((x) => x.id === 'http_error_rate')!.status, 'pass');
  assert.ok(s.labChecks.every((c) => c.ok), 'the lab itself stayed healthy');
  assert.match(run.stdout, /verdict: FAIL \(sla-failure, exit 1\)/);
  assert.match(run.stdout, /api_p95 failed: \d+\.\d ms \(target < 200\.0 ms\)/);
  rmSync(results, { recursive: true, force: true });
  rmSync(join(PROJECT_ROOT, '.lab', 'runs', s.runId), { recursive: true, force: true }); // a failed run keeps its state
});
