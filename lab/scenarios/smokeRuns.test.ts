// Every scenario, for real: type-checked and bundled by the lab's build, run by k6 v2 (smoke
// profile) against the target service on the local data tier (Postgres primary + 2 replicas,
// 6-node Redis cluster). Checks must pass, the custom metrics of the scenario's SLAs must have
// samples, and the thresholds k6 evaluated must be exactly the catalogue's for its SLA ids.
// One data tier + target for the whole file; each scenario is a few seconds of k6.

import { browserEnv } from '../k6/runnerContract.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { ensureK6 } from '../k6/binary.ts';
import { startTargetOnDataTier, type TargetOnDataTier } from '../local/targetOnDataTier.ts';
import { configFromEnv } from '../../target/src/config.ts';
import { startTarget } from '../../target/src/server.ts';
import { slaById } from '../sla/catalogue.ts';
import { buildScenarios, type BuiltScenario } from './build.ts';
import { SCENARIO_NAMES } from './registry.ts';
import { thresholdsFor } from './thresholds.ts';

/** `--summary-export` (legacy shape): stats at the top level; thresholds map expression -> failed. */
interface SummaryMetric {
  thresholds?: Record<string, boolean>;
  [stat: string]: unknown;
}
interface SummaryGroup {
  name: string;
  groups?: Record<string, SummaryGroup> | SummaryGroup[];
  checks?: Record<string, { name: string; passes: number; fails: number }> | Array<{ name: string; passes: number; fails: number }>;
}
interface Summary {
  metrics: Record<string, SummaryMetric>;
  root_group?: SummaryGroup;
}

/** "group › check: n failed" for every failing check, to say what broke. */
function failingChecks(group: SummaryGroup | undefined, path = ''): string[] {
  if (!group) return [];
  const here = group.name ? `${path}${group.name} › ` : path;
  const checks = Object.values(group.checks ?? {}).filter((c) => c.fails > 0).map((c) => `${here}${c.name}: ${c.fails} failed`);
  return [...checks, ...Object.values(group.groups ?? {}).flatMap((g) => failingChecks(g, here))];
}

let stateDir: string;
let supervisor: Supervisor;
let lab: TargetOnDataTier;
let k6: string;
const built = new Map<string, BuiltScenario>();

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-smoke-runs-'));
  supervisor = new Supervisor(stateDir);
  k6 = ensureK6();
  // settle both before failing, so after() never stops a data tier that is still starting
  const [target, bundles] = await Promise.allSettled([
    startTargetOnDataTier({
      stateDir,
      supervisor,
      seed: { students: 200, volumeStudents: 4, historyPerVolumeStudent: 1200, recentSelections: 300, schools: 5 },
      env: { LOG_LEVEL: 'error' },
    }),
    buildScenarios(SCENARIO_NAMES, { outDir: join(stateDir, 'bundles') }),
  ]);
  if (target.status === 'fulfilled') lab = target.value;
  if (target.status === 'rejected') throw target.reason;
  if (bundles.status === 'rejected') throw bundles.reason;
  for (const b of bundles.value) built.set(b.name, b);
});

after(async () => {
  await lab?.target.close().catch(() => undefined);
  await supervisor?.stopAll();
  // Postgres data may live outside the state folder (in memory, linked from <stateDir>/postgres)
  const pgLink = join(stateDir, 'postgres');
  const pgRoot = lab?.tier.postgres.rootDir ?? (existsSync(pgLink) ? realpathSync(pgLink) : undefined);
  if (pgRoot && !pgRoot.startsWith(stateDir)) rmSync(pgRoot, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

function runK6(bundle: string, summaryPath: string, baseUrl = lab.target.url, extraEnv: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      k6,
      ['run', '--quiet', '--no-color', '--summary-export', summaryPath, '-e', 'PROFILE=smoke', '-e', `BASE_URL=${baseUrl}`, ...extraEnv.flatMap((e) => ['-e', e]), bundle],
      { env: { ...process.env, K6_NO_USAGE_REPORT: 'true', ...browserEnv(baseUrl) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** How many samples a metric got: a Rate's passes + fails, a Counter's or Trend's count (the scenarios add 'count' to summaryTrendStats). */
const samplesOf = (m: SummaryMetric | undefined): number => {
  if (!m) return 0;
  if (typeof m.passes === 'number') return m.passes + Number(m.fails ?? 0);
  if (typeof m.count === 'number') return m.count;
  throw new Error(`metric without a sample count: ${JSON.stringify(m)}`);
};

for (const name of (process.env.SMOKE_ONLY?.split(",") ?? SCENARIO_NAMES)) {
  test(`${name}: smoke run on the local data tier passes its checks, emits its SLA metrics, and judges the catalogue thresholds`, async (t) => {
    const scenario = built.get(name)!;
    const summaryPath = join(stateDir, `${name}-summary.json`);
    const { code, output } = await runK6(scenario.bundlePath, summaryPath);
    const tail = output.split('\n').slice(-25).join('\n');
    // 0 = every threshold held, 99 = one failed (a verdict, e.g. a cold cache in a 5 s run); anything else is broken
    assert.ok(code === 0 || code === 99, `k6 exited ${code}\n${tail}`);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;

    const checks = summary.metrics.checks;
    assert.ok(checks && samplesOf(checks) > 0, `${name}: no checks ran\n${tail}`);
    const failedChecks = Number(checks.fails ?? 0);
    assert.equal(failedChecks, 0, `${name}: ${failedChecks} checks failed: ${failingChecks(summary.root_group).join('; ')}\n${tail}`);

    // the thresholds k6 judged are the catalogue's for the declared SLA ids, nothing more, nothing less
    const expected = thresholdsFor(scenario.slaIds);
    const judged = Object.fromEntries(
      Object.entries(summary.metrics)
        .filter(([, m]) => m.thresholds && Object.keys(m.thresholds).length > 0)
        .map(([metric, m]) => [metric, Object.keys(m.thresholds!).sort()]),
    );
    const wanted = Object.fromEntries(
      Object.entries(expected).map(([metric, list]) => [metric, list.map((t) => (typeof t === 'string' ? t : t.threshold)).sort()]),
    );
    assert.deepEqual(judged, wanted, `${name}: thresholds`);

    // every metric an SLA of this scenario is judged on has samples (custom metrics included)
    for (const metric of Object.keys(expected)) {
      assert.ok(samplesOf(summary.metrics[metric]) > 0, `${name}: metric ${metric} has no samples\n${tail}`);
    }
    const figures = Object.keys(expected).map((metric) => {
      const m = summary.metrics[metric]!;
      const value = typeof m.passes === 'number' ? `rate=${Number(m.value).toFixed(3)}` : `p95=${Number(m['p(95)']).toFixed(1)}ms`;
      const failed = Object.entries(m.thresholds ?? {}).filter(([, crossed]) => crossed).map(([expr]) => ` FAILED ${expr}`).join('');
      return `${metric} ${value}${failed}`;
    });
    t.diagnostic(`k6 exit ${code}; ${figures.join('; ')}`);
  });
}

test('a slowed target fails exactly the SLAs its delay crosses (load scenario, TARGET_INJECT_LATENCY_MS)', async (t) => {
  // a delay between the API SLA (p95 < 200 ms) and the career selection SLA (p95 < 500 ms)
  const api = slaById('api_p95').threshold;
  const selection = slaById('career_selection_p95').threshold;
  const delayMs = Math.round((api + selection) / 2);
  const slow = await startTarget(configFromEnv({ ...lab.env, TARGET_INJECT_LATENCY_MS: String(delayMs), LOG_LEVEL: 'fatal' }));
  try {
    const summaryPath = join(stateDir, 'load-slowed-summary.json');
    // long enough for a slowed iteration to reach its last step (flow state)
    const { code, output } = await runK6(built.get('load')!.bundlePath, summaryPath, slow.url, ['DURATION=10s']);
    assert.equal(code, 99, `k6 exit ${code} (99 = thresholds failed)\n${output.split('\n').slice(-15).join('\n')}`);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
    const crossed = Object.entries(summary.metrics).flatMap(([metric, m]) =>
      Object.entries(m.thresholds ?? {}).filter(([, failed]) => failed).map(([expr]) => `${metric} ${expr}`),
    );
    const byId = (id: Parameters<typeof slaById>[0]) => {
      const [[metric, [expr]]] = Object.entries(thresholdsFor([id])) as [[string, string[]]];
      return `${metric} ${expr}`;
    };
    // slowed past these (flow state comes last in the journey: judged only when a slowed iteration got there) ...
    assert.ok(crossed.includes(byId('api_p95')), `api_p95 should fail at +${delayMs} ms: ${crossed.join(', ')}`);
    assert.ok(samplesOf(summary.metrics.flow_state_latency) > 0, 'a slowed iteration reached the flow state');
    assert.ok(crossed.includes(byId('flow_state_p95')), `flow_state_p95 should fail at +${delayMs} ms: ${crossed.join(', ')}`);
    // ... and every other SLA of the scenario still holds (database time, errors and checks are untouched by the delay)
    assert.deepEqual(crossed.sort(), [byId('api_p95'), byId('flow_state_p95')].sort());
    t.diagnostic(`+${delayMs} ms: failed ${crossed.join(', ')}`);
  } finally {
    await slow.close();
  }
});
