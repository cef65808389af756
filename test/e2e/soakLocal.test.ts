// `npm run soak:local` with a short duration, for real on this machine: the local lab, two k6
// runners, the verdict from Prometheus. It must pass (exit 0), and its summary.json must show
// the 2 runners, the aggregated p95, and the replication and Redis cluster checks at both ends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { newResultsDir, onlyRunDir, readSummary } from './scripts.ts';

test('npm run soak:local (45 s) passes with 2 runners, aggregated p95, replication and cluster checks', { timeout: 180_000 }, async () => {
  const results = newResultsDir();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn('npm', ['run', '--silent', 'soak:local', '--', '--duration', '45s', '--results-dir', results], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);

  const runDir = onlyRunDir(results);
  const s = readSummary(runDir);
  assert.equal(s.target, 'local');
  assert.equal(s.scenario, 'soak');
  assert.equal(s.partial, false);
  assert.deepEqual(s.runners, [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: 0 }]);
  assert.equal(s.verdict.kind, 'pass');
  // aggregated across both runners: the p95 and the SLA that judges it agree
  const all = s.slas.find((x) => x.id === 'all_endpoints_p95')!;
  assert.equal(all.status, 'pass');
  assert.ok(s.totals.p95Ms !== null && s.totals.p95Ms > 0);
  assert.ok(Math.abs(all.value! - s.totals.p95Ms) < 1e-6);
  assert.ok(all.samples! > 100 && all.samples === s.totals.requests, `samples ${all.samples} vs requests ${s.totals.requests}`);
  // both runners' requests are in it: each runner's own summary counts add up to the total
  const perRunner = [1, 2].map((i) => JSON.parse(readFileSync(join(runDir, `runner-${i}-summary.json`), 'utf8')).metrics.http_reqs.count as number);
  assert.ok(perRunner.every((n) => n > 0));
  assert.equal(perRunner[0]! + perRunner[1]!, s.totals.requests);
  for (const id of ['replication_streaming', 'redis_cluster_ok']) {
    for (const phase of ['start', 'end'] as const) {
      const check = s.labChecks.find((c) => c.id === id && c.phase === phase);
      assert.ok(check?.ok, `${id} at the ${phase}: ${check?.detail}`);
    }
  }
  assert.match(s.labChecks.find((c) => c.id === 'replication_streaming')!.detail, /^2 of 2 replicas streaming/);
  assert.equal(s.soakChecks.find((c) => c.id === 'p95_degradation')!.status === 'not-measured', false);
  for (const file of ['report.md', 'report.html', 'junit.xml', 'lab.json']) assert.ok(existsSync(join(runDir, file)), file);
  assert.match(readFileSync(join(runDir, 'report.md'), 'utf8'), /^\*\*Verdict: PASS\*\*/m);
  // a passing run cleans its lab state away
  assert.equal(existsSync(join(PROJECT_ROOT, '.lab', 'runs', s.runId)), false);
  rmSync(results, { recursive: true, force: true });
});
