// Bundles one scenario with esbuild into a single ES module k6 runs as is (k6's own modules and
// remote https:// modules stay imports). The bundle must fit in a ConfigMap (1 MiB) to reach the
// k6-operator; a bigger one is an error naming the file and its size.

import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { PROJECT_ROOT, SCENARIO_LIBRARY } from './registry.ts';

/** Kubernetes caps a ConfigMap's data at 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

export class ScenarioTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly bytes: number,
  ) {
    super(
      `${file} bundles to ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB), over the ${CONFIGMAP_MAX_BYTES}-byte ` +
        `(1 MiB) ConfigMap limit: generate large data at run time (as scenarios/upload.ts does) instead of importing it`,
    );
  }
}

/** The ConfigMap guard on its own (pure). */
export function assertFitsConfigMap(file: string, bytes: number): void {
  if (bytes > CONFIGMAP_MAX_BYTES) throw new ScenarioTooLarge(file, bytes);
}

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
