// Bundles one scenario with esbuild into a single ES module k6 runs as is (k6's own modules and
// remote https:// modules stay imports). The bundle must fit in a ConfigMap (1 MiB) to reach the
// k6-operator; a bigger one is an error naming the file and its size.

import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { assertFitsConfigMap } from './limits.ts';
import { SCENARIO_LIBRARY } from './registry.ts';
import { PROJECT_ROOT } from '../paths.ts';

export { CONFIGMAP_MAX_BYTES, ScenarioTooLarge, assertFitsConfigMap } from './limits.ts';

export interface BundleResult {
  bundlePath: string;
  bytes: number;
}

export async function bundleScenario(sourceFile: string, bundlePath: string): Promise<BundleResult> {
  mkdirSync(dirname(bundlePath), { recursive: true });
  const shown = relative(PROJECT_ROOT, sourceFile).startsWith('..') ? sourceFile : relative(PROJECT_ROOT, sourceFile);
  await build({
    entryPoints: [sourceFile],
    outfile: bundlePath,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    external: ['k6', 'k6/*', 'https://*', 'http://*'],
    alias: { perflab: SCENARIO_LIBRARY },
    banner: { js: `// perflab scenario bundle of ${shown} (generated; edit the source, not this file)` },
    logLevel: 'silent',
    legalComments: 'none',
  });
  const bytes = statSync(bundlePath).size;
  assertFitsConfigMap(shown, bytes);
  return { bundlePath, bytes };
}
