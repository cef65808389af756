// The main job sets itself up: a missing Debian package is installed before anything starts, or,
// where the lab cannot install (not root), nothing starts and the message names the command. The
// package check is pointed at a binary that does not exist; apt-get itself is recorded, not run
// (installing a real package is what `npm run setup` does on every fresh machine and CI run).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, installCommand, LOCAL_LAB_BINARIES, MissingPackages } from './debianPackages.ts';
import { ensureLocalLabTools } from './localLabTools.ts';
import { runCommand } from '../run/runCommand.ts';
import { EXIT_CODES } from '../exitCodes.ts';

const missing = { ghost: { path: '/nonexistent/perflab-ghost-binary', pkg: 'perflab-ghost' } };

test('as root, a missing package is installed with apt-get (update, then install), and said', () => {
  const calls: string[][] = [];
  const lines: string[] = [];
  const installed = ensureDebianPackages((l) => lines.push(l), { binaries: missing, canInstall: true, aptGet: (args) => (calls.push(args), 0) });
  assert.deepEqual(installed, ['perflab-ghost']);
  assert.deepEqual(calls, [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'perflab-ghost']]);
  assert.match(lines.join('\n'), /installing Debian packages: perflab-ghost/);
});

test('not root: nothing is installed, the error names the exact command; a failed apt-get does too', () => {
  assert.throws(() => ensureDebianPackages(() => {}, { binaries: missing, canInstall: false, aptGet: () => assert.fail('must not run') }), (error: unknown) => {
    assert.ok(error instanceof MissingPackages);
    assert.match(error.message, /missing Debian packages: perflab-ghost; .*sudo apt-get update && sudo apt-get install -y perflab-ghost/);
    return true;
  });
  assert.throws(() => ensureDebianPackages(() => {}, { binaries: missing, canInstall: true, aptGet: (args) => (args[0] === 'install' ? 100 : 0) }),
    /apt-get install .* failed with exit 100; install them by hand: sudo apt-get update && sudo apt-get install -y perflab-ghost/);
  assert.equal(installCommand(['a', 'b']), 'sudo apt-get update && sudo apt-get install -y a b');
});

test('the packages the lab runs are all present here (what setup installed), so nothing is reinstalled', () => {
  assert.deepEqual(ensureDebianPackages(() => {}, { binaries: LOCAL_LAB_BINARIES, canInstall: false }), []);
});

test('run-soak on the local target sets up first: where it cannot, it stops before anything starts (exit 3, the command named)', async () => {
  const results = mkdtempSync(join(tmpdir(), 'perflab-setup-first-'));
  const lines: string[] = [];
  const io = { log: (l: string) => lines.push(l), write: () => {}, tty: false, signal: new AbortController().signal };
  const result = await runCommand(['--results-dir', results], 'run-soak', io, {
    localSetup: (log) => ensureLocalLabTools(log, { binaries: missing, canInstall: false }),
  });
  assert.equal(result.exitCode, EXIT_CODES.labFailure);
  assert.match(result.stderr ?? '', /run-soak: cannot start the local lab: missing Debian packages: perflab-ghost; .*sudo apt-get install -y perflab-ghost/);
  assert.deepEqual(readdirSync(results), [], 'no results folder: nothing started');
  assert.equal(lines.some((l) => /building scenario|starting the local lab/.test(l)), false, lines.join('\n'));
  // a dry run starts nothing, so it needs no packages
  const dry = await runCommand(['--dry-run', '--results-dir', results], 'run-soak', io, { localSetup: () => assert.fail('a dry run installs nothing') });
  assert.equal(dry.exitCode, EXIT_CODES.pass);
  assert.equal(existsSync(join(results, 'x')), false);
});
