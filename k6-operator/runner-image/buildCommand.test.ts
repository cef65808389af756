import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { K6 } from '../../lab/versions.ts';
import { runnerImageBuildArgs } from './buildCommand.ts';

test('the runner image is built at the pinned k6 from lab/versions.ts, and the Dockerfile pins nothing itself', () => {
  const args = runnerImageBuildArgs('registry.example/perflab-k6:2.2.0', '/ctx');
  const buildArgs = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--build-arg' ? [a.split('=')] : [])));
  assert.equal(buildArgs.K6_MODULE, K6.module);
  assert.equal(buildArgs.K6_VERSION, K6.version);
  assert.deepEqual(args.slice(-3), ['--tag', 'registry.example/perflab-k6:2.2.0', '/ctx']);
  const dockerfile = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8');
  for (const name of ['GO_IMAGE', 'BASE_IMAGE', 'K6_MODULE', 'K6_VERSION']) assert.match(dockerfile, new RegExp(`^ARG ${name}$`, 'm'));
  assert.doesNotMatch(dockerfile.replace(/^#.*$/gm, ''), /v?\d+\.\d+\.\d+/, 'no version outside comments');
  assert.throws(() => runnerImageBuildArgs('Bad Tag'), /--tag: "Bad Tag"/);
});
