import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMORY_DATA_PARENT, sweepFinishedLabsData } from './placement.ts';

test('sweepFinishedLabsData removes old lab folders nobody runs in and templates unused for a week, and only those', async () => {
  const old = mkdtempSync(join(MEMORY_DATA_PARENT, 'perflab-pg-sweeptest-'));
  const oldOnDisk = mkdtempSync(join(tmpdir(), 'perflab-pg-sweeptest-'));
  const busy = mkdtempSync(join(MEMORY_DATA_PARENT, 'perflab-pg-sweeptest-'));
  const young = mkdtempSync(join(MEMORY_DATA_PARENT, 'perflab-pg-sweeptest-'));
  const template = mkdtempSync(join(tmpdir(), 'perflab-pg-template-sweeptest-'));
  const idleTemplate = mkdtempSync(join(tmpdir(), 'perflab-pg-template-sweeptest-'));
  const longAgo = new Date(Date.now() - 3600_000);
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000);
  for (const d of [old, oldOnDisk, busy, template]) utimesSync(d, longAgo, longAgo);
  // a template is judged by its marker, which every start from it touches
  writeFileSync(join(template, 'complete'), '{}');
  utimesSync(join(template, 'complete'), longAgo, longAgo);
  utimesSync(template, eightDaysAgo, eightDaysAgo);
  writeFileSync(join(idleTemplate, 'complete'), '{}');
  utimesSync(join(idleTemplate, 'complete'), eightDaysAgo, eightDaysAgo);
  const sleeper = spawn('sleep', ['30'], { cwd: busy, stdio: 'ignore' });
  try {
    await new Promise((r) => sleeper.once('spawn', r));
    const removed = await sweepFinishedLabsData();
    assert.ok(removed.includes(old) && removed.includes(oldOnDisk), removed.join(' '));
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(oldOnDisk), false);
    assert.equal(existsSync(busy), true, 'a folder with a process inside is a running lab');
    assert.equal(existsSync(young), true, 'a young folder may be a lab still copying');
    assert.equal(existsSync(template), true, 'a template used an hour ago was swept');
    assert.equal(existsSync(idleTemplate), false, 'a template unused for 8 days was kept');
  } finally {
    sleeper.kill();
    for (const d of [old, oldOnDisk, busy, young, template, idleTemplate]) rmSync(d, { recursive: true, force: true });
  }
});
