// The target service delivered without an image of its own (target.delivery "bundle", the
// default): the whole service — its code and every package it imports — bundled by esbuild into
// one ESM file, gzipped into a ConfigMap's binaryData beside a tiny boot script, and run by the
// stock Node image (target.nodeImage) with the chart's command `node <TARGET_NODE_FLAGS>
// /app/boot.mjs`. The boot script unpacks the bundle into /tmp (the chart's root filesystem is
// read-only; /tmp is an emptyDir), checks its sha256 and imports it.
//
// Deterministic: the same sources and lockfile give the same bundle, and the same gzip bytes (no
// timestamp, no name, a fixed OS byte), so a second lab:up plans no change. The bundle's sha256
// goes into a pod-template annotation, so a change of the code rolls the pods, and nothing else does.
//
// Measured (docs/target.md § Delivery): 1 192 563 bytes minified, 361 011 gzipped at level 9
// (1 221 035 / 371 648 with the web front end) — over the 1 MiB ConfigMap limit as it is, a third
// of it gzipped.

import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LabConfig } from '../../config/types.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import { CONFIGMAP_MAX_BYTES } from '../../scenarios/limits.ts';
import { LAB_LABELS, type ConfigMapObject } from './types.ts';

/** The service's entry point, relative to the repository root. */
export const TARGET_ENTRY = 'target/src/main.ts';

/** Where the chart mounts the ConfigMap, and the files in it. */
export const TARGET_BUNDLE_MOUNT = '/app';
export const TARGET_BUNDLE_FILES = { boot: 'boot.mjs', bundle: 'main.mjs.gz' } as const;

/** The pod-template annotation holding the bundle's sha256 (the chart's `bundle.sha256`). */
export const TARGET_BUNDLE_ANNOTATION = 'perflab.dev/bundle-sha256';

/**
 * Prepended to the bundle: packages that call require() (CommonJS inside an ESM file) get Node's
 * own, and the few that read __dirname / __filename (ioredis looks for its package.json, and
 * tolerates not finding it) get the bundle's instead of a ReferenceError.
 */
const BANNER = 'import { createRequire as __cr } from "node:module"; import { fileURLToPath as __fu } from "node:url"; '
  + 'const require = __cr(import.meta.url), __filename = __fu(import.meta.url), __dirname = __fu(new URL(".", import.meta.url)).replace(/\\/$/, "");';

export interface TargetBundle {
  /** the bundle, one ESM file (what the boot script imports). */
  code: Buffer;
  /** `code` gzipped, level 9, as it goes into the ConfigMap. */
  gzipped: Buffer;
  /** hex sha256 of `code`. */
  sha256: string;
  /** the repository's source files in it (node_modules not listed), relative to the root. */
  sources: string[];
  /** the packages in it (names under node_modules). */
  packages: string[];
}

export class TargetBundleTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(
      `the target's ConfigMap would hold ${bytes} bytes (the bundle gzipped and the boot script), over the `
        + `${CONFIGMAP_MAX_BYTES}-byte (1 MiB) ConfigMap limit: drop a heavy dependency of target/src, or set `
        + 'target.delivery: image (the service\'s own image, target/Dockerfile; docs/target.md § Delivery)',
    );
  }
}

/** Gzip with nothing in the header that varies: no time, no name, and the OS byte fixed (zlib writes its build's). */
export function deterministicGzip(data: Uint8Array): Buffer {
  const out = gzipSync(data, { level: 9 });
  out[9] = 3; // "Unix", whatever platform compressed it (RFC 1952: the header is outside the CRC)
  return out;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

const built = new Map<string, TargetBundle>();

/**
 * Bundles the service (target/src/main.ts and every package it imports) with esbuild: node 20,
 * ESM, minified. ~0.4 s; built once per process and root (the stacks call it at synth).
 */
export function buildTargetBundle(root = PROJECT_ROOT): TargetBundle {
  const cached = built.get(root);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [join(root, TARGET_ENTRY)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    banner: { js: BANNER },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = Buffer.from(result.outputFiles[0]!.contents);
  const inputs = Object.keys(result.metafile.inputs);
  const bundle: TargetBundle = {
    code,
    gzipped: deterministicGzip(code),
    sha256: sha256(code),
    sources: inputs.filter((f) => !f.includes('node_modules/')).sort(),
    packages: [...new Set(inputs.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []))].sort(),
  };
  built.set(root, bundle);
  return bundle;
}

/**
 * The boot script (the ConfigMap's `boot.mjs`): unpacks the bundle beside it into the temporary
 * folder, refuses one whose sha256 is not the one it was built with, and imports it. It reads the
 * bundle relative to its own real path, so it works wherever the ConfigMap is mounted (the
 * kubelet's files are symlinks into a timestamped folder; node follows them).
 */
export function bootScript(bundleSha256: string): string {
  return `// perflab target boot (delivery bundle; lab/cluster/manifests/targetBundle.ts): unpack the
// service's bundle into the temporary folder (the root filesystem is read-only) and run it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const expected = '${bundleSha256}';
const code = gunzipSync(readFileSync(new URL('./${TARGET_BUNDLE_FILES.bundle}', import.meta.url)));
const actual = createHash('sha256').update(code).digest('hex');
if (actual !== expected) {
  console.error(\`boot: ${TARGET_BUNDLE_FILES.bundle} has sha256 \${actual}, this boot script expects \${expected}: the ConfigMap's files do not belong together\`);
  process.exit(2);
}
const dir = join(tmpdir(), 'perflab-target');
mkdirSync(dir, { recursive: true });
const file = join(dir, \`main-\${expected.slice(0, 12)}.mjs\`);
writeFileSync(file, code);
await import(pathToFileURL(file).href);
`;
}

/** The ConfigMap's name: the release's, so two releases in a namespace do not share one. */
export const targetBundleName = (config: LabConfig) => `${config.target.releaseName}-bundle`;

/** Fails with TargetBundleTooLarge unless the ConfigMap's content (as the API server counts it) fits 1 MiB. */
export function assertBundleFits(object: ConfigMapObject): void {
  const bytes = Object.values(object.data).reduce((n, v) => n + Buffer.byteLength(v), 0)
    + Object.values(object.binaryData ?? {}).reduce((n, v) => n + Buffer.from(v, 'base64').length, 0);
  if (bytes > CONFIGMAP_MAX_BYTES) throw new TargetBundleTooLarge(bytes);
}

/** The ConfigMap the chart mounts at /app in bundle mode: `data` the boot script, `binaryData` the gzipped bundle. */
export function targetBundleConfigMap(config: LabConfig, bundle: Pick<TargetBundle, 'gzipped' | 'sha256'>): ConfigMapObject {
  const object: ConfigMapObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: targetBundleName(config),
      namespace: config.namespaces.app,
      labels: { ...LAB_LABELS, 'app.kubernetes.io/name': 'target-api', 'app.kubernetes.io/component': 'bundle' },
      annotations: { [TARGET_BUNDLE_ANNOTATION]: bundle.sha256 },
    },
    data: { [TARGET_BUNDLE_FILES.boot]: bootScript(bundle.sha256) },
    binaryData: { [TARGET_BUNDLE_FILES.bundle]: bundle.gzipped.toString('base64') },
  };
  assertBundleFits(object);
  return object;
}
