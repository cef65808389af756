// The browser measurement, proven live on the local lab with a real Chromium: the target's front end
// made worse on purpose must fail the SLAs that judge what was made worse, and only those.
// - TARGET_WEB_INFLATE=true: a 320 KiB vendor bundle and larger pictures -> the JavaScript, image
//   and total budgets fail; the CSS and font budgets (untouched) pass.
// - TARGET_WEB_RENDER_DELAY_MS: each page's content rendered that much later -> LCP, time to
//   interactive (each at least the delay) and time to career selection (three pages) fail; FCP stays
//   below the delay (the header paints at once) and every budget passes.
// One browser VU, one runner, the smoke profile (5 s plus the browser scenario's 15 s grace).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { slaById } from '../../lab/sla/catalogue.ts';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import type { RunSummary } from '../../lab/report/summary.ts';
import { newResultsDir, onlyRunDir, readSummary, runScript } from './scripts.ts';

const ARGS = ['browser', '--target', 'local', '--profile', 'smoke', '--vus', '1', '--parallelism', '1'];
const RENDER_DELAY_MS = 3000;

async function browserRun(env: Record<string, string>): Promise<{ code: number | null; s: RunSummary; out: string }> {
  const results = newResultsDir();
  const run = await runScript('run.mjs', [...ARGS, '--results-dir', results], env);
  const s = readSummary(onlyRunDir(results));
  rmSync(results, { recursive: true, force: true });
  rmSync(join(PROJECT_ROOT, '.lab', 'runs', s.runId), { recursive: true, force: true }); // a failed run keeps its state
  return { code: run.code, s, out: run.stdout + run.stderr };
}

const sla = (s: RunSummary, id: string) => {
  const found = s.slas.find((x) => x.id === id);
  assert.ok(found, `no SLA ${id} in the summary`);
  return found;
};

test('an inflated front end fails the JavaScript, image and total budgets, and not the CSS or font budgets', { timeout: 180_000 }, async () => {
  const { code, s, out } = await browserRun({ TARGET_WEB_INFLATE: 'true' });
  assert.equal(code, EXIT_CODES.slaFailure, out);
  assert.ok(s.labChecks.every((c) => c.ok), 'the lab stayed healthy');
  for (const id of ['budget_javascript', 'budget_images', 'budget_total']) {
    const x = sla(s, id);
    assert.equal(x.status, 'fail', `${id}: ${x.value} bytes (budget ${x.threshold})`);
  }
  for (const id of ['budget_css', 'budget_fonts']) assert.equal(sla(s, id).status, 'pass', id);
  assert.ok(sla(s, 'budget_javascript').value! > slaById('budget_javascript').threshold * 2, 'the 320 KiB vendor bundle is counted');
  assert.ok((s.browserPages ?? []).length === 3, `three pages measured: ${JSON.stringify(s.browserPages)}`);
  assert.match(out, /budget_javascript failed: \d+\.\d KiB \(target < 200\.0 KiB\)/);
});

test(`a render slowed by ${RENDER_DELAY_MS} ms fails LCP, time to interactive and time to career selection, and no budget`, { timeout: 180_000 }, async () => {
  const { code, s, out } = await browserRun({ TARGET_WEB_RENDER_DELAY_MS: String(RENDER_DELAY_MS) });
  assert.equal(code, EXIT_CODES.slaFailure, out);
  // three pages each rendered 3 s late: past the 5 s to a career selection
  assert.equal(sla(s, 'time_to_career_selection_p95').status, 'fail');
  for (const id of ['web_vital_lcp_p95', 'time_to_interactive_p95']) {
    const x = sla(s, id);
    assert.equal(x.status, 'fail', id);
    assert.ok(x.value! >= RENDER_DELAY_MS * 0.9, `${id} ${x.value} ms is at least the delay (within a histogram bucket)`);
  }
  const fcp = sla(s, 'web_vital_fcp_p95');
  assert.notEqual(fcp.status, 'not-measured');
  assert.ok(fcp.value! < RENDER_DELAY_MS, `FCP ${fcp.value} ms: the header paints before the delayed content`);
  for (const id of ['budget_javascript', 'budget_css', 'budget_images', 'budget_fonts', 'budget_total']) assert.equal(sla(s, id).status, 'pass', id);
});
