import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCAL_LIMITS, localDurationProblem, localMaxVus, localVusProblem, parseRunFlags, UsageError } from './flags.ts';
import { planRun, DEFAULTS } from './plan.ts';
import { newRunId, MAX_RUN_ID } from './runId.ts';
import { formatProgress, formatClock, rateWindowS } from './progress.ts';

test('flags: defaults to the local target; values are parsed and typed', () => {
  const f = parseRunFlags(['--vus', '30', '--duration', '90s', '--parallelism', '3', '--keep'], 'run-soak');
  assert.deepEqual([f.target, f.vus, f.duration, f.parallelism, f.keep, f.dryRun], ['local', 30, '90s', 3, true, false]);
  assert.equal(parseRunFlags(['load'], 'run').scenario, 'load');
});

test('flags: errors name the flag and what is valid', () => {
  const err = (args: string[], re: RegExp, command: 'run' | 'run-soak' = 'run-soak') =>
    assert.throws(() => parseRunFlags(args, command), (e: Error) => e instanceof UsageError && re.test(e.message), args.join(' '));
  err(['--target', 'aws'], /--target: "aws" is not a target; valid: local, cluster/);
  err(['--duration', '0.5s'], /--duration: "0.5s" is shorter than 1s/);
  err(['--target-latency-ms', '-5'], /--target-latency-ms/);
  err(['--prometheus-url', 'http://x:9090'], /--prometheus-url: only for --target cluster/);
  err(['--base-url', 'http://x', '--target-latency-ms', '100'], /no target service is started/);
  err(['--target', 'cluster', '--namespace', 'Bad_NS', '--dry-run'], /--namespace: "Bad_NS" is not a Kubernetes namespace name/);
  err(['soak'], /run-soak takes flags only/);
  err(['a.ts', 'b.ts'], /one scenario per run, got 2/, 'run');
});

test('flags: the local target\'s limits (VUs per core, a day); the cluster has neither', () => {
  assert.equal(localMaxVus(2), 2 * LOCAL_LIMITS.vusPerCore);
  assert.equal(localVusProblem(localMaxVus(2), '--vus', 2), undefined);
  assert.match(localVusProblem(localMaxVus(2) + 1, '--vus', 2)!, /^--vus: 501 VUs is more than the local target runs on this machine \(250 per core x 2 cores = 500: .*\); use --vus 500 or fewer, or --target cluster$/);
  assert.equal(localDurationProblem(LOCAL_LIMITS.maxDurationMs, '--duration'), undefined);
  assert.match(localDurationProblem(LOCAL_LIMITS.maxDurationMs + 1000, '--duration')!, /^--duration: 24h1s is longer than the local target runs \(at most 24h/);
  assert.throws(() => parseRunFlags(['--duration', '25h'], 'run-soak'), /--duration: 25h is longer than the local target runs/);
  assert.throws(() => parseRunFlags(['--vus', String(localMaxVus() + 1)], 'run-soak'), /VUs is more than the local target runs/);
  assert.throws(() => parseRunFlags(['--vus', '99999999999999999999'], 'run-soak'), /is not a whole number >= 1/);
  const cluster = parseRunFlags(['--target', 'cluster', '--dry-run', '--duration', '72h', '--vus', '50000'], 'run-soak');
  assert.deepEqual([cluster.duration, cluster.vus], ['72h', 50000]);
});

test('flags: --no-base-url-check goes with --base-url; an unknown flag names the one meant', () => {
  assert.equal(parseRunFlags(['--base-url', 'http://10.0.0.5:8080'], 'run-soak').baseUrlCheck, true);
  assert.equal(parseRunFlags(['--base-url', 'http://10.0.0.5:8080', '--no-base-url-check'], 'run-soak').baseUrlCheck, false);
  assert.throws(() => parseRunFlags(['--no-base-url-check'], 'run-soak'), /--no-base-url-check: only with --base-url/);
  assert.throws(() => parseRunFlags(['--paralelism', '2'], 'run-soak'), /Unknown option '--paralelism' \(did you mean --parallelism\?\); valid flags:/);
  assert.throws(() => parseRunFlags(['--results-dir', ' '], 'run-soak'), /--results-dir: is empty/);
});

test('-e / --env KEY=VALUE: repeatable, k6\'s syntax (the value may hold =), ahead of the lab\'s own env', () => {
  const f = parseRunFlags(['-e', 'TENANT=acme', '--env', 'QUERY=a=b&c=d', '-e', 'EMPTY='], 'run-soak');
  assert.deepEqual(f.env, { TENANT: 'acme', QUERY: 'a=b&c=d', EMPTY: '' });
  const plan = planRun(f, 'run-soak');
  assert.deepEqual(plan.userEnv, f.env);
  assert.equal(plan.scenarioEnv.TENANT, 'acme');
  assert.equal(plan.scenarioEnv.PROFILE, 'ci');
  assert.deepEqual(parseRunFlags([], 'run-soak').env, {});
  const err = (args: string[], re: RegExp) =>
    assert.throws(() => parseRunFlags(args, 'run-soak'), (e: Error) => e instanceof UsageError && re.test(e.message), args.join(' '));
  err(['-e', 'NOEQUALS'], /--env: "NOEQUALS" is not KEY=VALUE/);
  err(['-e', '=value'], /--env: "=value" is not KEY=VALUE/);
  err(['-e', '1X=2'], /--env: "1X" is not a variable name/);
  err(['-e', 'VUS=100'], /--env: VUS is set by the lab: use --vus/);
  err(['-e', 'BASE_URL=http://x'], /--env: BASE_URL is set by the lab: use --base-url/);
  err(['-e', 'K6_PROMETHEUS_RW_SERVER_URL=http://x'], /--env: K6_PROMETHEUS_RW_SERVER_URL: K6_\* variables/);
});

test('plan: the local soak is sized for this machine, the cluster soak is the guidelines\'', () => {
  const local = planRun(parseRunFlags([], 'run-soak'), 'run-soak', { runIdSuffix: 'abcd', now: new Date('2026-11-23T14:05:09Z') });
  assert.equal(local.runId, 'soak-261123-140509-abcd');
  assert.deepEqual(local.scenarioEnv, { PROFILE: 'ci', VUS: String(DEFAULTS['run-soak'].local.vus), DURATION: DEFAULTS['run-soak'].local.duration });
  assert.equal(local.soakChecks, true);
  const cluster = planRun(parseRunFlags(['--target', 'cluster', '--dry-run'], 'run-soak'), 'run-soak');
  assert.deepEqual(cluster.scenarioEnv, { PROFILE: 'full' }); // the soak's full profile: 5000 VUs, 8 h
  // an explicit profile keeps its own shape
  assert.deepEqual(planRun(parseRunFlags(['--profile', 'smoke'], 'run-soak'), 'run-soak').scenarioEnv, { PROFILE: 'smoke' });
  // run.mjs: the profile's own shape, no soak checks for a load test
  const load = planRun(parseRunFlags(['load', '--base-url', 'http://10.0.0.5:8080'], 'run'), 'run');
  assert.deepEqual(load.scenarioEnv, { PROFILE: 'ci', BASE_URL: 'http://10.0.0.5:8080' });
  assert.equal(load.soakChecks, false);
});

test('run id: a DNS label of at most 30 characters, even for long scenario names', () => {
  const id = newRunId('My Very Long Scenario Name', new Date('2026-01-02T03:04:05Z'), 'beef');
  assert.ok(id.length <= MAX_RUN_ID, id);
  assert.match(id, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  assert.ok(id.endsWith('-260102-030405-beef'), id);
  assert.notEqual(newRunId('soak'), newRunId('soak'));
});

test('progress line: elapsed, remaining, VUs, req/s, p95, error rate; "no samples yet" when that is the truth', () => {
  assert.equal(formatClock(3_725_000), '1:02:05');
  const sample = { elapsedMs: 61_000, totalMs: 90_000, anySample: true, vus: 20, requestsPerSecond: 187.25, requests: 11_000, p95Ms: 81.04, p95Window: 'recent' as const, errorRate: 0.0012 };
  assert.equal(formatProgress(sample), '01:01 elapsed, 00:29 left | VUs 20 | 187.3 req/s | p95 81.0 ms | errors 0.12%');
  assert.equal(
    formatProgress({ ...sample, elapsedMs: 1000, totalMs: undefined, anySample: false, vus: undefined, requestsPerSecond: undefined, requests: undefined, p95Ms: undefined, errorRate: undefined }),
    '00:01 elapsed, ? left | no samples yet',
  );
  // a few VUs: too few points in the window for a rate, so the run's figures so far
  assert.equal(formatProgress({ ...sample, requestsPerSecond: undefined, requests: 12, p95Ms: 5, p95Window: 'run' }),
    '01:01 elapsed, 00:29 left | VUs 20 | 12 requests | p95 (run) 5.0 ms | errors 0.12%');
  // samples, but no HTTP at all (a scenario of custom metrics)
  assert.equal(formatProgress({ ...sample, requestsPerSecond: undefined, requests: undefined, p95Ms: undefined, errorRate: undefined }),
    '01:01 elapsed, 00:29 left | VUs 20 | no requests | p95 — | errors —');
  assert.equal(rateWindowS(1), 10);
  assert.equal(rateWindowS(5), 20);
});
