import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsRootProblem } from './resultsRoot.ts';

test('results root: a folder that exists or can be created under a writable folder is fine, and nothing is created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-results-root-'));
  assert.equal(resultsRootProblem('results', dir), undefined);
  assert.equal(resultsRootProblem('deep/er/results', dir), undefined);
  assert.equal(resultsRootProblem(dir, '/'), undefined, 'an existing folder');
  assert.deepEqual(readdirSync(dir), [], 'the check creates nothing and leaves no temp file');
});

test('results root: a file, a path through a file, /proc, /sys, a link into /proc, an empty name: each named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-results-root-'));
  writeFileSync(join(dir, 'a-file'), 'x');
  symlinkSync('/proc/self', join(dir, 'to-proc'));
  assert.equal(resultsRootProblem('a-file', dir), `${join(dir, 'a-file')} is a file, not a folder; give a folder (it is created if missing)`);
  assert.equal(resultsRootProblem('a-file/sub/results', dir), `${join(dir, 'a-file/sub/results')} cannot be created: ${join(dir, 'a-file')} is a file, not a folder`);
  assert.match(resultsRootProblem('/proc/nope', dir)!, /^\/proc\/nope is under \/proc, a kernel pseudo-filesystem/);
  assert.match(resultsRootProblem('/proc', dir)!, /is under \/proc/);
  assert.match(resultsRootProblem('/sys/x/y', dir)!, /is under \/sys/);
  assert.match(resultsRootProblem('to-proc/results', dir)!, /to-proc\/results leads to \/proc\/\d+, under \/proc/);
  assert.match(resultsRootProblem('', dir)!, /is empty/);
  assert.equal(existsSync(join(dir, 'to-proc', 'results')), false);
});

test('results root: a folder this user cannot write is named with the error (checked as "nobody": root writes through permission bits)', { skip: process.getuid?.() !== 0 && 'needs root to run the check as another user' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-results-root-'));
  chmodSync(dir, 0o755);
  // "nobody" may not read the project (a clone under root's 0700 home): it runs the module compiled
  // into a folder of its own, with no tsx to resolve
  const code = mkdtempSync(join(tmpdir(), 'perflab-results-root-code-'));
  chmodSync(code, 0o755);
  const compiled = join(code, 'resultsRoot.mjs');
  writeFileSync(compiled, transformSync(readFileSync(new URL('./resultsRoot.ts', import.meta.url), 'utf8'), { loader: 'ts', format: 'esm' }).code, { mode: 0o644 });
  const check = `import(${JSON.stringify(compiled)}).then((m) => process.stdout.write(String(m.resultsRootProblem('results', ${JSON.stringify(dir)}))))`;
  const run = spawnSync(process.execPath, ['-e', check], { cwd: code, uid: 65534, gid: 65534, encoding: 'utf8' });
  rmSync(code, { recursive: true, force: true });
  assert.equal(run.stdout, `${dir} (where ${join(dir, 'results')} would be created) is not writable: EACCES`, run.stderr);
  assert.deepEqual(readdirSync(dir), []);
});
