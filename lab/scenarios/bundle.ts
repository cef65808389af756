// Bundles one scenario with esbuild into a single ES module k6 runs as is (k6's own modules and
// remote https:// modules stay imports). Every `import ... from 'k6/http'` — the user's and the
// scenario library's — gets scenarios/lib/groupedHttp.ts instead, which names unnamed requests by
// their grouped URL (no series per request). The bundle must fit in a ConfigMap (1 MiB) to reach
// the k6-operator; a bigger one is an error naming the file and its size.

import { build, type Message } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { assertFitsConfigMap } from './limits.ts';
import { GROUPED_HTTP, SCENARIO_LIBRARY } from './registry.ts';
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
    plugins: [{
      name: 'perflab-grouped-http',
      setup(b) {
        // the shim itself imports the real module, which stays external
        b.onResolve({ filter: /^k6\/http$/ }, (args) => (args.importer === GROUPED_HTTP ? { path: 'k6/http', external: true } : { path: GROUPED_HTTP }));
      },
    }],
  }).catch((error: unknown) => {
    throw new Error(bundleProblem(error, sourceFile));
  });
  const bytes = statSync(bundlePath).size;
  assertFitsConfigMap(shown, bytes);
  return { bundlePath, bytes };
}

/**
 * esbuild's errors as a user reads them: "cannot bundle <file>: <file>:<line>:<col>: <what>", each
 * location absolute (esbuild's are relative to this process's directory), a few at most.
 */
function bundleProblem(error: unknown, sourceFile: string): string {
  const messages = (error as { errors?: Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return `cannot bundle ${sourceFile}: ${(error as Error).message}`;
  const lines = messages.slice(0, 5).map((m) => {
    const at = m.location ? `${resolve(m.location.file)}:${m.location.line}:${m.location.column + 1}: ` : '';
    const hint = /^Could not resolve/.test(m.text)
      ? ' (a scenario imports k6/* modules, https:// modules, files beside it, and packages installed in node_modules)'
      : '';
    return `${at}${m.text}${hint}`;
  });
  if (lines.length === 1) return `cannot bundle ${sourceFile}: ${lines[0]}`;
  const more = messages.length > 5 ? `\n(and ${messages.length - 5} more)` : '';
  return `cannot bundle ${sourceFile}:\n${lines.join('\n')}${more}`;
}
