import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { K6, K6_BROWSER_RUNNER_IMAGE, K6_RUNNER_IMAGE_BASES } from '../../lab/versions.ts';
import { BROWSER_ARGS, CHROMIUM_PATH } from '../../lab/k6/runnerContract.ts';
import { runnerImageBuildArgs } from './buildCommand.ts';

test('the runner image is built at the pinned k6 from lab/versions.ts, and the Dockerfile pins nothing itself', () => {
  const args = runnerImageBuildArgs('registry.example/perflab-k6:2.2.0', '/ctx');
  const buildArgs = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--build-arg' ? [a.split('=')] : [])));
  assert.equal(buildArgs.K6_MODULE, K6.module);
  assert.equal(buildArgs.K6_VERSION, K6.version);
  assert.deepEqual(args.slice(-3), ['--tag', 'registry.example/perflab-k6:2.2.0', '/ctx']);
  const dockerfile = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8');
  for (const name of ['GO_IMAGE', 'BASE_IMAGE', 'K6_MODULE', 'K6_VERSION', 'CHROMIUM_PATH', 'K6_BROWSER_ARGS']) assert.match(dockerfile, new RegExp(`^ARG ${name}$`, 'm'));
  assert.doesNotMatch(dockerfile.replace(/^#.*$/gm, ''), /v?\d+\.\d+\.\d+/, 'no version outside comments');
  assert.throws(() => runnerImageBuildArgs('Bad Tag'), /--tag: "Bad Tag"/);
});

test('the browser image: the browser target, Debian\'s chromium at the runner contract\'s path, its flags; the default stays the distroless one', () => {
  const args = runnerImageBuildArgs(K6_BROWSER_RUNNER_IMAGE, '/ctx', { browser: true });
  const buildArgs = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--build-arg' ? [a.split(/=(.*)/s).slice(0, 2)] : [])));
  assert.equal(args[args.indexOf('--target') + 1], 'browser');
  assert.equal(buildArgs.CHROMIUM_PATH, CHROMIUM_PATH);
  assert.equal(buildArgs.K6_BROWSER_ARGS, BROWSER_ARGS.join(','));
  assert.equal(buildArgs.BROWSER_BASE_IMAGE, K6_RUNNER_IMAGE_BASES.browser);
  assert.ok(!runnerImageBuildArgs('x/y:1').includes('--target'), 'the plain build is the default stage');
  const dockerfile = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => m[2] ?? m[1]);
  assert.deepEqual(stages, ['build', 'browser', '${BASE_IMAGE}'], 'the last stage (the default build) is the plain runner');
  assert.match(dockerfile, /apt-get install -y --no-install-recommends chromium /);
  assert.match(dockerfile, /ENV K6_BROWSER_EXECUTABLE_PATH=\$\{CHROMIUM_PATH\}/);
});
