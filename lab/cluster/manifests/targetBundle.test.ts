// The target's bundle and its ConfigMap (delivery bundle): deterministic bytes, the Kubernetes
// shape, the 1 MiB guard, and the boot script run by this machine's node on a ConfigMap volume
// laid out as the kubelet lays it out. The real service on it, against a real data tier, is
// stacks/targetBundle.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { resolveLabConfig } from '../../config/index.ts';
import { CONFIGMAP_MAX_BYTES } from '../../scenarios/limits.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import {
  assertBundleFits,
  buildTargetBundle,
  deterministicGzip,
  TARGET_BUNDLE_ANNOTATION,
  TARGET_BUNDLE_FILES,
  targetBundleConfigMap,
  TargetBundleTooLarge,
} from './targetBundle.ts';
import { writeConfigMapVolume } from './configMapVolume.ts';

const config = resolveLabConfig();
const bundle = buildTargetBundle();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('the bundle: the whole service in one minified ESM file, the same bytes from another process, gzipped without a timestamp', () => {
  assert.equal(bundle.sha256, sha(bundle.code));
  assert.ok(bundle.code.length > 500_000 && bundle.code.length < 4_000_000, `${bundle.code.length} bytes`);
  for (const pkg of ['fastify', 'pg', 'ioredis', 'prom-client', '@fastify/websocket']) assert.ok(bundle.packages.includes(pkg), pkg);
  assert.ok(bundle.sources.includes('target/src/main.ts'));
  assert.deepEqual(bundle.sources.filter((f) => !f.startsWith('target/src/')), [], 'the service imports nothing of the lab');
  assert.ok(!bundle.code.toString('utf8').includes(PROJECT_ROOT), 'no path of this machine in the bundle');
  // gzip header: no mtime (bytes 4-7), no file name (FLG 0), OS byte fixed
  assert.deepEqual([...bundle.gzipped.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  assert.deepEqual(gunzipSync(bundle.gzipped), bundle.code);
  // a second lab:up synthesizes in another process: it must get the same bytes
  const other = spawnSync(process.execPath, ['--import', 'tsx', '-e',
    "import('./lab/cluster/manifests/targetBundle.ts').then(({ buildTargetBundle }) => { const b = buildTargetBundle(); console.log(b.sha256, require('node:crypto').createHash('sha256').update(b.gzipped).digest('hex')); })"], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(other.status, 0, other.stderr);
  assert.equal(other.stdout.trim(), `${bundle.sha256} ${sha(bundle.gzipped)}`);
  assert.deepEqual(deterministicGzip(Buffer.from('x')), deterministicGzip(Buffer.from('x')));
});

test('its ConfigMap: boot.mjs in data, the gzipped bundle in binaryData, the sha256 annotated; valid, and a third of the 1 MiB limit', () => {
  const object = targetBundleConfigMap(config, bundle);
  assert.doesNotThrow(() => new ConfigMap(object as any).validate());
  assert.equal(object.metadata.name, 'target-api-bundle');
  assert.equal(object.metadata.namespace, config.namespaces.app);
  assert.equal(object.metadata.annotations![TARGET_BUNDLE_ANNOTATION], bundle.sha256);
  assert.deepEqual(Object.keys(object.data), [TARGET_BUNDLE_FILES.boot]);
  assert.deepEqual(Object.keys(object.binaryData!), [TARGET_BUNDLE_FILES.bundle]);
  assert.ok(object.data[TARGET_BUNDLE_FILES.boot]!.includes(`const expected = '${bundle.sha256}';`));
  assert.deepEqual(gunzipSync(Buffer.from(object.binaryData![TARGET_BUNDLE_FILES.bundle]!, 'base64')), bundle.code);
  assert.ok(bundle.code.length > CONFIGMAP_MAX_BYTES / 2, 'why it is gzipped: the bundle alone nears or passes the limit');
  assert.ok(bundle.gzipped.length < CONFIGMAP_MAX_BYTES / 2, `${bundle.gzipped.length} bytes gzipped`);
});

test('a bundle over 1 MiB is refused with what to do instead', () => {
  const big = { gzipped: randomBytes(CONFIGMAP_MAX_BYTES), sha256: 'f'.repeat(64) };
  assert.throws(() => targetBundleConfigMap(config, big), (error: unknown) => {
    assert.ok(error instanceof TargetBundleTooLarge);
    assert.match(error.message, /^the target's ConfigMap would hold \d+ bytes \(the bundle gzipped and the boot script\), over the 1048576-byte \(1 MiB\) ConfigMap limit: .*target\.delivery: image/);
    return true;
  });
  // the API server's count: data as text, binaryData decoded (not its base64)
  const exactly = { data: { a: 'x'.repeat(1024) }, binaryData: { b: Buffer.alloc(CONFIGMAP_MAX_BYTES - 1024).toString('base64') } };
  assert.doesNotThrow(() => assertBundleFits({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...exactly }));
  assert.throws(() => assertBundleFits({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...exactly, data: { a: 'x'.repeat(1025) } }), TargetBundleTooLarge);
});

test('the boot script, on a ConfigMap volume as the kubelet writes it: unpacks into the temporary folder and runs the bundle; refuses a bundle of another build', () => {
  const code = Buffer.from('console.log(JSON.stringify({ argv: process.argv.length, url: import.meta.url }));\n');
  const fake = { gzipped: deterministicGzip(code), sha256: sha(code) };
  const mount = mkdtempSync(join(tmpdir(), 'perflab-bundle-volume-'));
  const tmp = mkdtempSync(join(tmpdir(), 'perflab-bundle-tmp-'));
  writeConfigMapVolume(mount, targetBundleConfigMap(config, fake));
  const run = spawnSync(process.execPath, [join(mount, TARGET_BUNDLE_FILES.boot)], { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: tmp } });
  assert.equal(run.status, 0, run.stderr);
  const said = JSON.parse(run.stdout) as { argv: number; url: string };
  assert.equal(said.argv, 2, 'the service sees no extra argument (main.ts refuses any)');
  assert.equal(said.url, `file://${tmp}/perflab-target/main-${fake.sha256.slice(0, 12)}.mjs`);
  assert.deepEqual(readdirSync(join(tmp, 'perflab-target')), [`main-${fake.sha256.slice(0, 12)}.mjs`]);
  // a boot script and a bundle that do not belong together
  const other = mkdtempSync(join(tmpdir(), 'perflab-bundle-volume-'));
  const mixed = targetBundleConfigMap(config, fake);
  mixed.binaryData![TARGET_BUNDLE_FILES.bundle] = deterministicGzip(Buffer.from('console.log("other")')).toString('base64');
  writeConfigMapVolume(other, mixed);
  const refused = spawnSync(process.execPath, [join(other, TARGET_BUNDLE_FILES.boot)], { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: tmp } });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^boot: main\.mjs\.gz has sha256 [0-9a-f]{64}, this boot script expects [0-9a-f]{64}: the ConfigMap's files do not belong together/);
});
