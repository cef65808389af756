// The `docker build` argv of the runner image, from the pins in lab/versions.ts and the runner
// contract (the Dockerfile holds no version). Pure; run this file to print the command.

import { fileURLToPath } from 'node:url';
import { K6, K6_BROWSER_RUNNER_IMAGE, K6_RUNNER_IMAGE_BASES as RUNNER_IMAGE_BASES } from '../../lab/versions.ts';
import { BROWSER_ARGS, CHROMIUM_PATH } from '../../lab/k6/runnerContract.ts';

export interface RunnerImageOptions {
  /** the `browser` target: k6 with Debian's chromium (scenarios with browser VUs). */
  browser?: boolean;
}

export function runnerImageBuildArgs(tag: string, contextDir = fileURLToPath(new URL('.', import.meta.url)), options: RunnerImageOptions = {}): string[] {
  if (!/^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?$/.test(tag)) throw new Error(`--tag: "${tag}" is not an image reference like registry/perflab-k6:2.2.0`);
  return [
    'build',
    '--build-arg', `GO_IMAGE=${RUNNER_IMAGE_BASES.go}`,
    '--build-arg', `BASE_IMAGE=${RUNNER_IMAGE_BASES.base}`,
    '--build-arg', `K6_MODULE=${K6.module}`,
    '--build-arg', `K6_VERSION=${K6.version}`,
    ...(options.browser
      ? [
        '--build-arg', `BROWSER_BASE_IMAGE=${RUNNER_IMAGE_BASES.browser}`,
        '--build-arg', `CHROMIUM_PATH=${CHROMIUM_PATH}`,
        '--build-arg', `K6_BROWSER_ARGS=${BROWSER_ARGS.join(',')}`,
        '--target', 'browser',
      ]
      : []),
    '--tag', tag,
    contextDir,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--tag');
  const browser = process.argv.includes('--browser');
  if (process.argv.includes('--help')) {
    console.log('usage: node --import tsx k6-operator/runner-image/buildCommand.ts [--browser] [--tag <image ref>]\n' +
      'prints the docker build command of the perflab k6 runner image (--browser: with Chromium, for browser VUs;\n' +
      `the lab's TestRun of a scenario with browser VUs uses ${K6_BROWSER_RUNNER_IMAGE}: load it into the cluster, e.g. kind load docker-image)`);
  } else {
    const tag = i > 0 ? process.argv[i + 1] ?? '' : browser ? K6_BROWSER_RUNNER_IMAGE : `perflab-k6:${K6.version.replace(/^v/, '')}`;
    console.log(['docker', ...runnerImageBuildArgs(tag, undefined, { browser })].map((a) => (/[\s()]/.test(a) ? `'${a}'` : a)).join(' '));
  }
}
