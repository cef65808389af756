// compare.mjs, trend.mjs and plan.mjs bodies on recorded runs (no lab): exit codes, files, lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommand, trendCommand } from './commands.ts';
import { planCommand } from '../capacity/planCommand.ts';
import type { Baseline } from './baseline.ts';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const read = (name: string) => JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Baseline;

test('compare.mjs: the slowed run regressed (exit 1, compare.md and compare.html), the same target did not, other VUs refused', () => {
  const out = mkdtempSync(join(tmpdir(), 'perflab-compare-'));
  try {
    const slowed = compareCommand([join(fixtures, 'soak-a.json'), join(fixtures, 'soak-c-slowed-50ms.json'), '--out', out]);
    assert.equal(slowed.exitCode, 1, slowed.stderr);
    assert.match(slowed.stdout, /- regressed: total p95 12\.8 ms -> 75\.2 ms \(\+489\.5 %, runbook level 2/);
    assert.match(readFileSync(join(out, 'compare.md'), 'utf8'), /^# Comparison: B REGRESSED: \d+ regression/);
    assert.match(readFileSync(join(out, 'compare.html'), 'utf8'), /<svg id="chart-compare" data-points="[1-9]/);
    assert.equal(compareCommand([join(fixtures, 'soak-a.json'), join(fixtures, 'soak-b-same-target.json'), '--out', out]).exitCode, 0);
    const other = read('soak-c-slowed-50ms');
    other.identity = { ...other.identity, vus: 50 };
    writeFileSync(join(out, 'other.json'), JSON.stringify(other));
    const refused = compareCommand([join(fixtures, 'soak-a.json'), join(out, 'other.json'), '--out', out]);
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /not comparable: other VUs: baseline 10, this run 50 \(add --force-compare/);
    assert.equal(compareCommand([join(fixtures, 'soak-a.json'), join(out, 'other.json'), '--out', out, '--force-compare']).exitCode, 1);
    assert.equal(compareCommand(['only-one']).exitCode, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('trend.mjs: history, rolling baseline, and the latest run regressed against the one before it (exit 1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-trend-'));
  try {
    ['soak-a', 'soak-b-same-target', 'soak-c-slowed-50ms'].forEach((name, i) => {
      const c = read(name);
      mkdirSync(join(dir, c.runId));
      writeFileSync(join(dir, c.runId, 'summary.json'), JSON.stringify({
        runId: c.runId, scenario: 'soak', startedAt: `2026-12-02T00:0${i}:00.000Z`, partial: false, comparable: c,
        slas: c.slas.map((s) => ({ ...s })),
      }));
    });
    const out = trendCommand(['--scenario', 'soak', '--results-dir', dir]);
    assert.equal(out.exitCode, 1, out.stderr);
    assert.match(out.stdout, /^trend over 3 run\(s\) of soak:/);
    assert.match(out.stdout, /all_endpoints_p95: 12\.8 ms [\d.]+ ms 75\.2 ms \| baseline p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, stddev [\d.]+ ms, trend \+[\d.]+ ms\/run/);
    assert.match(out.stdout, /run soak-261202-004247-39b1 regressed against soak-261202-004211-d286:/);
    assert.doesNotMatch(out.stdout, /run soak-261202-004211-d286 regressed/);
    assert.equal(trendCommand(['--results-dir', join(dir, 'none')]).exitCode, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plan.mjs: a finished run planned again for another load, with the lab config\'s price', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-plan-'));
  try {
    writeFileSync(join(dir, 'capacity.yaml'), 'capacity:\n  nodeHourUsd: 0.19\n');
    const summary = new URL('../report/fixtures/summary-decisions.json', import.meta.url).pathname;
    const out = planCommand([summary, '--plan-for-rps', '1000'], dir, { LAB_PROFILE: 'cloud', LAB_CONFIG: 'capacity.yaml', HOME: dir });
    assert.equal(out.exitCode, 0, out.stderr);
    assert.match(out.stdout, /plan for 1000\.0 req\/s \(--plan-for-rps 1000\), headroom 30 %: \d+ target replica\(s\).*node\(s\) of 4 CPU \/ 16 GiB; cost per transaction: \$[\d.e-]+ \(under the \$0\.001 criterion\)/);
    const noPrice = planCommand([summary], dir, { LAB_PROFILE: 'cloud', HOME: dir });
    assert.match(noPrice.stdout, /cost per transaction: not computed: capacity\.nodeHourUsd is not set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
