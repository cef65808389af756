// The `docker build` argv of the runner image, from the pins in lab/versions.ts (the Dockerfile
// holds no version). Pure; run this file to print the command.

import { fileURLToPath } from 'node:url';
import { K6, K6_RUNNER_IMAGE_BASES as RUNNER_IMAGE_BASES } from '../../lab/versions.ts';

export function runnerImageBuildArgs(tag: string, contextDir = fileURLToPath(new URL('.', import.meta.url))): string[] {
  if (!/^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?$/.test(tag)) throw new Error(`--tag: "${tag}" is not an image reference like registry/perflab-k6:2.2.0`);
  return [
    'build',
    '--build-arg', `GO_IMAGE=${RUNNER_IMAGE_BASES.go}`,
    '--build-arg', `BASE_IMAGE=${RUNNER_IMAGE_BASES.base}`,
    '--build-arg', `K6_MODULE=${K6.module}`,
    '--build-arg', `K6_VERSION=${K6.version}`,
    '--tag', tag,
    contextDir,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--tag');
  if (process.argv.includes('--help')) {
    console.log('usage: node --import tsx k6-operator/runner-image/buildCommand.ts [--tag <image ref>]\nprints the docker build command of the perflab k6 runner image');
  } else {
    const tag = i > 0 ? process.argv[i + 1] ?? '' : `perflab-k6:${K6.version.replace(/^v/, '')}`;
    console.log(['docker', ...runnerImageBuildArgs(tag)].map((a) => (/[\s()]/.test(a) ? `'${a}'` : a)).join(' '));
  }
}
