// What the scripts print when asked: --help, and dry runs (the plan, or the ConfigMap + TestRun),
// which start nothing. Bad inputs — flags, scenarios, lab configs, for every entry point — are the
// sweep of test/e2e/badInputs.test.ts, which runs the table of docs/bad-inputs.md.

import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { runScript, ZX } from './scripts.ts';

const labRuns = () => (existsSync(join(PROJECT_ROOT, '.lab', 'runs')) ? readdirSync(join(PROJECT_ROOT, '.lab', 'runs')) : []);

test('--help lists every flag and the exit codes, exit 0', async () => {
  for (const script of ['run-soak.mjs', 'run.mjs'] as const) {
    const run = await runScript(script, ['--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--target', '--duration', '--vus', '--parallelism', '--profile', '--base-url', '--no-base-url-check', '--results-dir', '--dry-run', '--keep', '--help', '--prometheus-url']) {
      assert.ok(run.stdout.includes(flag), `${script} --help lacks ${flag}`);
    }
    assert.match(run.stdout, /Exit codes: 0 pass · 1 SLA failure · 2 bad usage · 3 lab failure · 130 interrupted/);
  }
});

test('lab-up and teardown --help say their exit codes: 2 for bad flags and for an invalid lab config', () => {
  for (const script of ['lab-up.mjs', 'teardown.mjs']) {
    const run = spawnSync(ZX, [join(PROJECT_ROOT, 'scripts', script), '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.replace(/\s+/g, ' '), /Exit codes: 0 done.* 2 bad flags or an invalid lab config \(a missing or unreadable --config file, not JSON\/YAML, a wrong type, an unknown field\)/, script);
  }
});

test('--dry-run on the cluster prints a ConfigMap with the bundle and a TestRun tagged with the run id', async () => {
  const run = await runScript('run-soak.mjs', ['--target', 'cluster', '--dry-run', '--parallelism', '3', '-e', 'TENANT=acme', '-e', 'API_TOKEN=s3cr3t']);
  assert.doesNotMatch(run.stdout, /s3cr3t/);
  assert.equal(run.code, 0, run.stderr);
  const [configMap, testRun] = run.stdout.split(/^---$/m).map((doc) => parseYaml(doc));
  assert.equal(configMap.kind, 'ConfigMap');
  assert.ok(String(configMap.data['soak.js']).length > 1000, 'the bundle is in the ConfigMap');
  assert.equal(testRun.kind, 'TestRun');
  assert.equal(testRun.spec.parallelism, 3);
  const testid = (testRun.spec.args as string[])[(testRun.spec.args as string[]).indexOf('--tag') + 1];
  assert.match(testid, /^testid=soak-\d{6}-\d{6}-[0-9a-f]{4}$/);
  const env = Object.fromEntries((testRun.spec.runner.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
  assert.equal(env.PROFILE, 'full', 'the cluster soak is the guidelines\' (full profile)');
  assert.equal(env.TENANT, 'acme', '-e reaches the runners');
  assert.equal(env.API_TOKEN, '***', 'a secret-looking value is masked in the dry run');
  assert.equal(env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM, 'true');
});

test('--dry-run on the local target prints the plan and each runner\'s k6 command, starts nothing', async () => {
  const before = labRuns();
  const run = await runScript('run.mjs', ['load', '--dry-run', '--parallelism', '2', '--vus', '4', '--duration', '10s']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^target: +local/m);
  assert.match(run.stdout, /scenario env: PROFILE=ci VUS=4 DURATION=10s/);
  const withEnv = await runScript('run.mjs', ['load', '--dry-run', '-e', 'TENANT=acme', '-e', 'DB_PASSWORD=hunter2']);
  assert.match(withEnv.stdout, /scenario env: TENANT=acme DB_PASSWORD=\*\*\* PROFILE=ci/);
  assert.doesNotMatch(withEnv.stdout, /hunter2/);
  assert.match(run.stdout, /^k6 run --paused .*--execution-segment=0:1\/2 .*--tag instance_id=1 /m);
  assert.match(run.stdout, /^k6 run --paused .*--execution-segment=1\/2:1 .*--tag instance_id=2 /m);
  assert.deepEqual(labRuns(), before);
});
