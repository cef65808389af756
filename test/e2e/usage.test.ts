// Bad flags and unknown scenarios are refused before anything starts: exit code 2, a message that
// names the flag (or scenario) and what is valid, and no results folder, no lab state, no process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { runCommand } from '../../lab/run/runCommand.ts';
import type { RunIo } from '../../lab/run/io.ts';
import { newResultsDir, runScript } from './scripts.ts';

const labRuns = () => (existsSync(join(PROJECT_ROOT, '.lab', 'runs')) ? readdirSync(join(PROJECT_ROOT, '.lab', 'runs')) : []);

const cases: Array<{ script: 'run-soak.mjs' | 'run.mjs'; args: string[]; message: RegExp }> = [
  { script: 'run-soak.mjs', args: ['--durration', '30s'], message: /Unknown option '--durration'; valid flags: .*--duration/ },
  { script: 'run-soak.mjs', args: ['--target', 'k8s'], message: /--target: "k8s" is not a target; valid: local, cluster/ },
  { script: 'run-soak.mjs', args: ['--vus', 'many'], message: /--vus: "many" is not a whole number >= 1/ },
  { script: 'run-soak.mjs', args: ['--parallelism', '0'], message: /--parallelism: "0" is not a whole number >= 1/ },
  { script: 'run-soak.mjs', args: ['--duration', '8 hours'], message: /"8 hours" is not a duration; use e.g. 5s/ },
  { script: 'run-soak.mjs', args: ['--profile', 'huge'], message: /--profile: "huge" is not a profile; valid: smoke, ci, full/ },
  { script: 'run-soak.mjs', args: ['--base-url', 'localhost:8080'], message: /--base-url: "localhost:8080" must be an http:\/\/ or https:\/\/ URL/ },
  { script: 'run-soak.mjs', args: ['--vus', '2', '--parallelism', '3'], message: /--parallelism: 3 runners for 2 VUs/ },
  { script: 'run-soak.mjs', args: ['-e', 'TOKEN'], message: /--env: "TOKEN" is not KEY=VALUE/ },
  { script: 'run-soak.mjs', args: ['--target', 'cluster'], message: /--prometheus-url: the cluster target needs the lab's Prometheus.*port-forward/ },
  { script: 'run-soak.mjs', args: ['--target', 'cluster', '--keep', '--dry-run'], message: /--keep: only for --target local/ },
  { script: 'run-soak.mjs', args: ['--scenario', 'soakk'], message: /"soakk" is neither a scenario name nor an existing file; names: load, .*soak/ },
  { script: 'run.mjs', args: ['no-such-scenario'], message: /"no-such-scenario" is neither a scenario name nor an existing file/ },
  { script: 'run.mjs', args: [], message: /which scenario\? give a name/ },
  { script: 'run.mjs', args: ['package.json'], message: /is a \.json file; a scenario is a \.ts or \.js k6 script/ },
];

const io = (lines: string[]): RunIo => ({ log: (l) => lines.push(l), write: () => {}, tty: false, signal: new AbortController().signal });

test('bad flags and unknown scenarios exit 2 with a message naming the problem, before anything starts', async () => {
  const results = newResultsDir();
  const before = labRuns();
  for (const c of cases) {
    const lines: string[] = [];
    const command = c.script === 'run.mjs' ? 'run' : 'run-soak';
    const result = await runCommand([...c.args, '--results-dir', results], command, io(lines));
    assert.equal(result.exitCode, EXIT_CODES.usage, `${c.script} ${c.args.join(' ')}: exit ${result.exitCode}`);
    assert.match(result.stderr ?? '', c.message, `${c.script} ${c.args.join(' ')}`);
    assert.match(result.stderr ?? '', /see: zx scripts\/run(-soak)?\.mjs --help/);
  }
  // and through the real scripts, as a user types them
  for (const c of [cases[0]!, cases[cases.length - 3]!]) {
    const run = await runScript(c.script, [...c.args, '--results-dir', results]);
    assert.equal(run.code, EXIT_CODES.usage, `${c.script} ${c.args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, c.message);
    assert.equal(run.stdout, '', 'usage errors go to stderr');
  }
  assert.deepEqual(readdirSync(results), [], 'a refused run wrote results');
  assert.deepEqual(labRuns(), before, 'a refused run created lab state');
  rmSync(results, { recursive: true, force: true });
});

test('--help lists every flag and the exit codes, exit 0', async () => {
  for (const script of ['run-soak.mjs', 'run.mjs'] as const) {
    const run = await runScript(script, ['--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--target', '--duration', '--vus', '--parallelism', '--profile', '--base-url', '--dry-run', '--keep', '--help', '--prometheus-url']) {
      assert.ok(run.stdout.includes(flag), `${script} --help lacks ${flag}`);
    }
    assert.match(run.stdout, /Exit codes: 0 pass · 1 SLA failure · 2 bad usage · 3 lab failure · 130 interrupted/);
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
