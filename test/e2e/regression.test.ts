// Baselines end to end on the local lab, through the real scripts: a run saved as a baseline, the
// same target run again and compared (not flagged), the target slowed by 100 ms (--target-latency-ms)
// and compared (flagged: exit 1, each regression named with before, after, change and runbook
// level, a junit case each), compare.mjs over the run folders, and a run with other VUs refused
// before anything starts. Baselines go to baselines/ under INIT_CWD (a temp folder here).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import type { RunSummary } from '../../lab/report/summary.ts';
import { readSummary, runScript, ZX } from './scripts.ts';
import { REGRESSION_POLICY } from '../../lab/baseline/compare.ts';
import { spawnSync } from 'node:child_process';

const SHAPE = ['--duration', '25s', '--vus', '10'];

test('a baseline saved, the same target not flagged, a slowed target flagged; compare.mjs; other VUs refused', { timeout: 400_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'perflab-e2e-baseline-'));
  const previous = process.env.INIT_CWD;
  process.env.INIT_CWD = home;
  const results = join(home, 'results');
  const runDirs = () => new Set(existsSync(results) ? readdirSync(results) : []);
  const newRun = (before: Set<string>): { dir: string; summary: RunSummary } => {
    const added = [...runDirs()].filter((d) => !before.has(d));
    assert.equal(added.length, 1, `new run folders: ${added.join(', ')}`);
    const dir = join(results, added[0]!);
    return { dir, summary: readSummary(dir) };
  };
  try {
    let before = runDirs();
    const saved = await runScript('run-soak.mjs', [...SHAPE, '--save-baseline', 'e2e', '--results-dir', results]);
    const a = newRun(before);
    // a failing SLA of the catalogue's is the verdict's business; a baseline is saved from any complete run
    assert.ok(saved.code === EXIT_CODES.pass || a.summary.verdict.kind === 'sla-failure', saved.stderr + saved.stdout);
    assert.match(saved.stdout, /baseline e2e saved to .*baselines\/e2e\.json/);
    const baseline = JSON.parse(readFileSync(join(home, 'baselines', 'e2e.json'), 'utf8'));
    assert.equal(baseline.name, 'e2e');
    assert.equal(baseline.identity.vus, 10);
    assert.ok(baseline.figures.find((f: { id: string }) => f.id === 'total').windows.p95Ms.length >= 4);

    before = runDirs();
    const same = await runScript('run-soak.mjs', [...SHAPE, '--baseline', 'e2e', '--results-dir', results]);
    const b = newRun(before);
    assert.notEqual(b.summary.verdict.kind, 'regression', same.stdout);
    assert.ok(same.code === EXIT_CODES.pass || b.summary.verdict.kind === 'sla-failure', same.stdout);
    assert.doesNotMatch(same.stdout, /regression against the baseline/);
    assert.deepEqual(b.summary.baseline!.regressions, []);
    assert.ok(b.summary.baseline!.unchanged > 0);
    assert.match(same.stdout, /baseline e2e \(run [^)]+\): 0 regression\(s\)/);

    before = runDirs();
    const slow = await runScript('run-soak.mjs', [...SHAPE, '--target-latency-ms', '100', '--baseline', 'e2e', '--results-dir', results]);
    assert.equal(slow.code, EXIT_CODES.slaFailure, slow.stdout);
    const c = newRun(before);
    const regressions = c.summary.baseline!.regressions;
    const total = regressions.find((r) => r.id === 'total' && r.stat === 'p95');
    assert.ok(total, JSON.stringify(regressions.map((r) => `${r.id} ${r.stat}`)));
    // 100 ms injected per request: well past the floor, whatever this machine's load added to both runs
    assert.ok(total.after - total.before >= REGRESSION_POLICY.minEffectMs.p95 && total.level >= 1, JSON.stringify(total));
    if (!c.summary.slas.some((s) => s.status === 'fail')) assert.equal(c.summary.verdict.kind, 'regression');
    assert.match(slow.stdout, /regression against the baseline: total p95 [\d.]+ ms -> [\d.]+ ms \(\+[\d.]+ %, runbook level [12]/);
    assert.equal((readFileSync(join(c.dir, 'junit.xml'), 'utf8').match(/classname="perflab\.baseline"[^>]*><failure/g) ?? []).length, regressions.length);
    assert.match(readFileSync(join(c.dir, 'report.md'), 'utf8'), /## Regression analysis: comparison with the baseline/);

    const compare = (x: string, y: string) => spawnSync(ZX, [join(PROJECT_ROOT, 'scripts', 'compare.mjs'), x, y], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env } });
    const ab = compare(a.dir, b.dir);
    assert.equal(ab.status, 0, ab.stdout + ab.stderr);
    const ac = compare(a.dir, c.dir);
    assert.equal(ac.status, 1, ac.stdout + ac.stderr);
    assert.match(readFileSync(join(c.dir, 'compare.md'), 'utf8'), /^# Comparison: B REGRESSED/);
    assert.match(readFileSync(join(c.dir, 'compare.html'), 'utf8'), /<svg id="chart-compare" data-points="[1-9]/);

    // other VUs: refused before the lab starts, naming why
    before = runDirs();
    const other = await runScript('run-soak.mjs', ['--duration', '25s', '--vus', '12', '--baseline', 'e2e', '--results-dir', results]);
    assert.equal(other.code, EXIT_CODES.usage, other.stderr);
    assert.match(other.stderr, /--baseline: not comparable with baseline e2e .*other VUs: baseline 10, this run 12; .*--force-compare/);
    assert.equal(runDirs().size, before.size);
    for (const s of [c.summary]) rmSync(join(PROJECT_ROOT, '.lab', 'runs', s.runId), { recursive: true, force: true });
  } finally {
    if (previous === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = previous;
    rmSync(home, { recursive: true, force: true });
  }
});
