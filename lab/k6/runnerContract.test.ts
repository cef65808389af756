import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertRunnersFit, LAB_SYSTEM_TAGS, localRunnerArgs, outputEnv, runArgs, scenarioEnv } from './runnerContract.ts';

test('the scenario env carries the load shape and the service; what is not set is not sent', () => {
  assert.deepEqual(scenarioEnv({ profile: 'full', vus: 800, duration: '30m' }, 'http://target'), {
    PROFILE: 'full', VUS: '800', DURATION: '30m', BASE_URL: 'http://target',
  });
  assert.deepEqual(scenarioEnv({ profile: 'smoke' }), { PROFILE: 'smoke' });
});

test('the output env: remote-write as native histograms; the push interval only when asked', () => {
  assert.deepEqual(outputEnv('http://p/api/v1/write', '1s'), {
    K6_PROMETHEUS_RW_SERVER_URL: 'http://p/api/v1/write',
    K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
    K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    K6_NO_USAGE_REPORT: 'true',
  });
  assert.equal('K6_PROMETHEUS_RW_PUSH_INTERVAL' in outputEnv('http://p/api/v1/write'), false);
});

test('a local runner gets what the operator adds on the cluster, then the run args every runner gets', () => {
  const args = localRunnerArgs({ instance: 2, parallelism: 3, apiAddress: '127.0.0.1:7000', testid: 't1', summaryPath: '/r/s.json', bundlePath: '/b.js' });
  const run = runArgs('t1');
  assert.deepEqual(run, ['-o', 'experimental-prometheus-rw', '--tag', 'testid=t1', '--system-tags', LAB_SYSTEM_TAGS.join(','), '--no-thresholds']);
  assert.equal(LAB_SYSTEM_TAGS.includes('url' as never), false, 'no url label: one series per URL');
  assert.ok(LAB_SYSTEM_TAGS.includes('name') && LAB_SYSTEM_TAGS.includes('expected_response'));
  assert.equal(runArgs('t1', { keepSystemTags: true }).includes('--system-tags'), false);
  const at = args.indexOf(run[0]!);
  assert.deepEqual(args.slice(at, at + run.length), run, 'the run args, in order');
  for (const expected of ['--paused', '--execution-segment=1/3:2/3', 'instance_id=2']) assert.ok(args.includes(expected), expected);
});

test('more runners than VUs is refused naming both numbers, the scenario, the shape and the fix', () => {
  assert.throws(
    () => assertRunnersFit(6, 5, { scenario: 'soak', shape: { profile: 'smoke' } }),
    /^Error: 6 runners for 5 VUs: scenario soak runs at most 5 VUs under profile smoke, .*parallelism of 5 or less, or more VUs$/,
  );
  assert.throws(() => assertRunnersFit(3, 2, { scenario: 'soak', shape: { profile: 'ci', vus: 2 } }), /under profile ci with VUS=2/);
  assert.doesNotThrow(() => assertRunnersFit(5, 5, { scenario: 'soak', shape: { profile: 'smoke' } }));
});
