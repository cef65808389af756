// The target chart is another issue's; when it is in the repository, our values must fit it:
// every key we set exists in its values.yaml, and real helm renders it with our values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { resolveLabConfig } from '../../config/index.ts';
import { findHelm } from '../../setup/helm.ts';
import { leafPaths } from './chartKeys.ts';
import { targetApiValues } from './targetApi.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const config = resolveLabConfig();
const chartDir = join(ROOT, config.target.chartPath);
const chartValues = join(chartDir, 'values.yaml');
const haveChart = existsSync(join(chartDir, 'Chart.yaml')) && existsSync(chartValues);

test('every key the target stack sets is declared in the target chart values.yaml', { skip: !haveChart && `${config.target.chartPath} is not there yet` }, () => {
  const declared = leafPaths(parse(readFileSync(chartValues, 'utf8')));
  const ours = leafPaths(targetApiValues(config));
  // a key is declared when the chart declares it, or a map above it (env, nodeSelector, resources)
  const undeclared = ours.filter((path) => !declared.some((d) => path === d || path.startsWith(`${d}.`) || d.startsWith(`${path}.`)));
  assert.deepEqual(undeclared, [], `keys ${config.target.chartPath}/values.yaml does not declare`);
});

const helm = findHelm();
test('helm template renders the target chart with the stack\'s values (real helm)', { skip: (!haveChart || !helm) && 'needs the chart and helm' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'target-values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(targetApiValues(config)));
  const out = spawnSync(helm!, ['template', config.target.releaseName, chartDir, '--namespace', config.namespaces.app, '-f', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  // delivery bundle (the default): the Node image, running the bundle's boot script
  assert.ok(out.stdout.includes(`image: "${config.target.nodeImage.repository}:${config.target.nodeImage.tag}"`), out.stdout);
  assert.match(out.stdout, /command: \["node","--max-semi-space-size=4","\/app\/boot\.mjs"\]/);
  // delivery image: the service's own image, in the registry when one is set
  const image = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: 'registry.example.com:5000/perf' } } });
  writeFileSync(file, stringify(targetApiValues(image)));
  const own = spawnSync(helm!, ['template', image.target.releaseName, chartDir, '--namespace', image.namespaces.app, '-f', file], { encoding: 'utf8' });
  assert.equal(own.status, 0, own.stderr);
  assert.ok(own.stdout.includes(`image: "registry.example.com:5000/perf/${image.target.image.repository}:${image.target.image.tag}"`));
  assert.doesNotMatch(own.stdout, /boot\.mjs/);
});
