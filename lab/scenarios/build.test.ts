import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScenario, buildScenarios } from './build.ts';
import { CONFIGMAP_MAX_BYTES, ScenarioTooLarge } from './bundle.ts';
import { PROFILE_SHAPES } from './profiles.ts';
import { SCENARIO_NAMES, resolveScenario, scenarioNameOf } from './registry.ts';
import { thresholdsFor } from './thresholds.ts';
import { ScenarioTypeError } from './typecheck.ts';

const outDir = mkdtempSync(join(tmpdir(), 'perflab-build-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'perflab-user-'));
test.after(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

test('every registered scenario type-checks, bundles under 1 MiB, and k6 sees the catalogue thresholds of its SLA ids', async () => {
  const built = await buildScenarios(SCENARIO_NAMES, { outDir });
  assert.deepEqual(built.map((b) => b.name), SCENARIO_NAMES);
  for (const b of built) {
    assert.ok(b.bytes > 0 && b.bytes <= CONFIGMAP_MAX_BYTES, `${b.name}: ${b.bytes} bytes`);
    assert.equal(readFileSync(b.bundlePath).length, b.bytes);
    assert.ok(b.slaIds.length > 0, `${b.name} declares SLA ids`);
    // what k6 will evaluate is exactly the catalogue's thresholds for the declared ids
    assert.deepEqual(b.thresholds, thresholdsFor(b.slaIds, b.name === 'breakpoint' ? { abortOnFail: true, delayAbortEval: '30s' } : {}), b.name);
    assert.deepEqual(b.inspect({ profile: 'full' }).thresholds, b.thresholds, `${b.name}: thresholds do not depend on the profile`);
    // one bundle, three shapes
    const smoke = b.maxVUs('smoke');
    assert.ok(smoke >= 1 && smoke <= PROFILE_SHAPES.smoke.peakVUs! + 3, `${b.name} smoke ${smoke} VUs`);
    assert.ok(b.maxVUs('full') > b.maxVUs('ci'), `${b.name}: full > ci`);
    assert.ok(b.maxVUs('full', { vus: 40 }) <= 43, `${b.name}: VUS override`);
  }
  const soak = built.find((b) => b.name === 'soak')!;
  assert.equal(soak.maxVUs('full'), 5000);
  assert.equal(soak.inspect({ profile: 'full' }).totalDuration.startsWith('8h'), true);
  assert.equal(soak.inspect({ profile: 'full', duration: '20m' }).totalDuration.startsWith('20m'), true);
});

test('a scenario written anywhere gets the same treatment, by path', async () => {
  const file = join(elsewhere, 'My Checkout Test.ts');
  writeFileSync(
    file,
    `import { labOptions, trendingCareers, type K6SlaId } from 'perflab';
const slas: K6SlaId[] = ['api_p95', 'http_error_rate'];
export const options = labOptions({ slas, scenarios: { browse: { executor: 'constant-vus', vus: 30, duration: '10m' } } });
export default function (): void { trendingCareers(); }
`,
  );
  const built = await buildScenario(file, { outDir });
  assert.equal(built.name, 'my-checkout-test');
  assert.deepEqual(built.slaIds, ['api_p95', 'http_error_rate']);
  assert.deepEqual(built.thresholds, thresholdsFor(['api_p95', 'http_error_rate']));
  assert.equal(built.maxVUs('full'), 30);
  assert.ok(readFileSync(built.bundlePath, 'utf8').includes("endpoint: tags.endpoint"), 'the tagging library is bundled in');
});

test('a type error fails the build with tsc naming the file and line', async () => {
  const file = join(elsewhere, 'broken.ts');
  writeFileSync(file, `import { labOptions } from 'perflab';\nexport const options = labOptions({ slas: ['api_p95'], scenarios: {} });\nconst n: number = 'five';\nexport default function (): void { void n; }\n`);
  await assert.rejects(buildScenario(file, { outDir }), (error: unknown) => {
    assert.ok(error instanceof ScenarioTypeError);
    assert.match(error.message, /broken\.ts\(3,7\): error TS2322/);
    return true;
  });
});

test('an SLA id that is not in the catalogue does not type-check', async () => {
  const file = join(elsewhere, 'unknown-sla.ts');
  writeFileSync(file, `import { labOptions } from 'perflab';\nexport const options = labOptions({ slas: ['api_p99'], scenarios: {} });\nexport default function (): void {}\n`);
  await assert.rejects(buildScenario(file, { outDir }), /unknown-sla\.ts\(2,.*'"api_p99"' is not assignable/);
});

test('a bundle over the 1 MiB ConfigMap limit is an error naming the file and its size', async () => {
  const file = join(elsewhere, 'fat.ts');
  writeFileSync(join(elsewhere, 'fixture.ts'), `export const blob = ${JSON.stringify('x'.repeat(CONFIGMAP_MAX_BYTES + 10))};\n`);
  writeFileSync(file, `import { blob } from './fixture.ts';\nexport default function (): void { void blob.length; }\n`);
  await assert.rejects(buildScenario(file, { outDir, skipTypecheck: true }), (error: unknown) => {
    assert.ok(error instanceof ScenarioTooLarge);
    assert.ok(error.bytes > CONFIGMAP_MAX_BYTES);
    assert.match(error.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} bundles to ${error.bytes} bytes .*1 MiB`));
    return true;
  });
});

test('names resolve to registry files; anything else is an error listing the names', () => {
  assert.match(resolveScenario('soak').file, /scenarios\/soak\.ts$/);
  assert.throws(() => resolveScenario('sokk'), /scenario: "sokk" is neither a scenario name nor an existing file; names: load, stress/);
  assert.equal(scenarioNameOf('/x/Big_Soak.v2.ts'), 'big-soak-v2');
});
