// The sweep of bad inputs: every row of docs/bad-inputs.md's table, run from a scratch directory
// with the fixtures it names. Each must exit with the table's code and say the table's fragment;
// none may print a stack trace, leave a process running, or leave a results folder or a lab state
// folder behind (a lab failure, exit 3, writes its results like any run: those are checked, then
// removed). The table and this file must know the same cases.
//
// run.mjs / run-soak.mjs rows run runCommand in-process (everything the scripts do below their
// argv), a few also through the real scripts; lab-up.mjs / teardown.mjs rows run the real scripts
// with a PATH holding only node, so no docker, kind, kubectl or terraform is ever reached.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { runCommand, verdictLines } from '../../lab/run/runCommand.ts';
import type { RunIo } from '../../lab/run/io.ts';
import type { RunCommand } from '../../lab/run/flags.ts';
import { ZX } from './scripts.ts';

const TABLE = join(PROJECT_ROOT, 'docs', 'bad-inputs.md');
const SCRIPTS = ['run.mjs', 'run-soak.mjs', 'lab-up.mjs', 'teardown.mjs'] as const;
type Script = (typeof SCRIPTS)[number];
const ENTRY_POINTS = new Set([...SCRIPTS, 'lab config', 'scenario']);
/** the sweep's load time limit: the init loops end in 3 s instead of 30 */
const LOAD_TIMEOUT_MS = 3000;
/** every in-process run gets this clock and suffix: its run id, whatever the scenario, ends so */
const NOW = new Date('2001-02-03T04:05:06Z');
const SUFFIX = 'bad0';
const RUN_ID_TAIL = `-010203-040506-${SUFFIX}`;

type Fixture = string | { symlink: string } | { folder: true };
interface Case {
  /** files the row names, created in its scratch directory */
  files?: Record<string, Fixture>;
  /** also run it through the real script (the issue's own rows, one per kind of failure) */
  alsoThroughScript?: boolean;
}

const options2 = `export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } } };`;
const labConfig = {
  'typo.yaml': 'postgress:\n  instances: 3\n',
  'nested-typo.yaml': 'redis:\n  shard: 3\n',
  'wrong-type.yaml': 'postgres:\n  instances: three\n',
  'broken.yaml': 'postgres:\n  instances: 3\n   redis: [\n',
  'broken.json': '{"postgres": {"instances": 3,}',
  'list.yaml': '- postgres\n- redis\n',
  'aws.yaml': 'profile: aws\n',
  'slas.yaml': 'slas: []\n',
};

/** Every case of the table, by id, with what it needs. */
const CASES: Record<string, Case> = {
  'soak-unknown-flag': { alsoThroughScript: true },
  'soak-bad-target': {},
  'soak-vus-not-a-number': {},
  'soak-parallelism-zero': {},
  'soak-duration-in-words': {},
  'soak-duration-too-short': {},
  'soak-unknown-profile': {},
  'soak-base-url-without-scheme': {},
  'soak-more-runners-than-vus': {},
  'soak-env-not-a-pair': {},
  'soak-env-without-key': {},
  'soak-env-lab-variable': {},
  'soak-cluster-without-prometheus': {},
  'soak-keep-on-cluster': {},
  'soak-prometheus-url-on-local': {},
  'soak-unknown-scenario': {},
  'soak-positional-argument': {},
  'soak-absurd-vus-local': {},
  'soak-absurd-duration-local': {},
  'soak-full-profile-local': {},
  'soak-no-base-url-check-alone': {},
  'soak-base-url-refused': {},
  'soak-fault-unknown-kind': {},
  'soak-fault-primary-kill-local': { alsoThroughScript: true },
  'soak-fault-network-local': {},
  'soak-fault-pause-on-cluster': {},
  'soak-fault-pause-without-duration': {},
  'soak-fault-after-the-run': {},
  'soak-max-recovery-not-a-duration': {},
  'soak-save-baseline-bad-name': {},
  'soak-baseline-missing': {},
  'soak-force-compare-alone': {},
  'soak-regression-pct-not-a-number': {},
  'soak-plan-for-rps-not-a-number': {},
  'results-dir-is-a-file': { files: { 'a-file.txt': 'not a folder\n' }, alsoThroughScript: true },
  'results-dir-under-a-file': { files: { 'a-file.txt': 'not a folder\n' } },
  'results-dir-in-proc': { alsoThroughScript: true },
  'results-dir-in-sys': {},
  'results-dir-link-to-proc': { files: { 'to-proc': { symlink: '/proc/self' } } },
  'results-dir-empty': {},
  'run-no-scenario': {},
  'run-unknown-scenario': {},
  'run-json-file': { files: { 'package.json': '{"name": "my-tests"}\n' } },
  'run-folder': { files: { 'my-scenarios': { folder: true } } },
  'run-two-scenarios': {},
  'run-scenario-twice': {},
  'run-unknown-flag': {},
  'run-cluster-namespace': {},
  'run-latency-with-base-url': {},
  'scenario-syntax-error': {
    files: { 'syntax-error.js': "import http from 'k6/http';\nexport default function ( {\n  http.get('http://x');\n}\n" },
    alsoThroughScript: true,
  },
  'scenario-type-error': {
    files: { 'type-error.ts': "import http from 'k6/http';\nconst n: number = 'not a number';\nexport default function (): void { http.get(`${__ENV.BASE_URL}/x?n=${n}`); }\n" },
  },
  'scenario-missing-module': { files: { 'missing-import.js': "import { helper } from './lib/helpers.js';\nexport default function () { helper(); }\n" } },
  'scenario-missing-package': { files: { 'missing-package.js': "import leftPad from 'left-pad-not-installed';\nexport default function () { leftPad('x', 3); }\n" } },
  'scenario-unknown-k6-module': { files: { 'unknown-k6-module.js': `import faker from 'k6/x/faker';\n${options2}\nexport default function () { faker.person.firstName(); }\n` } },
  'scenario-init-throws': { files: { 'init-throws.js': `${options2}\nthrow new Error('boom at init');\nexport default function () {}\n` } },
  'scenario-init-loops': { files: { 'init-loops.js': `${options2}\nwhile (true) {}\nexport default function () {}\n` } },
  'scenario-vu-init-loops': {
    // k6 inspect runs the init code once (__VU 0) and passes; the threshold probe's k6 run then
    // runs it in a VU, where it never ends
    files: { 'vu-init-loops.js': "export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } }, thresholds: { http_req_failed: ['rate<0.1'] } };\nif (__VU > 0) { while (true) {} }\nexport default function () {}\n" },
  },
  'scenario-no-default-function': { files: { 'no-default.js': `${options2}\n` } },
  'scenario-unknown-executor': { files: { 'unknown-executor.js': "export const options = { scenarios: { s: { executor: 'constant-vu', vus: 2, duration: '10s' } } };\nexport default function () {}\n" } },
  'scenario-threshold-syntax': { files: { 'bad-threshold.js': "export const options = { vus: 2, iterations: 2, thresholds: { http_req_duration: ['p95<200'] } };\nexport default function () {}\n" } },
  'scenario-threshold-unknown-metric': { files: { 'unknown-metric.js': "export const options = { vus: 2, iterations: 2, thresholds: { no_such_metric: ['rate<0.1'] } };\nexport default function () {}\n" } },
  'scenario-one-vu-two-runners': { files: { 'one-vu.js': "export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n" } },
  'scenario-too-many-vus-local': { files: { 'many-vus.js': "export const options = { scenarios: { s: { executor: 'constant-vus', vus: 100000, duration: '10s' } } };\nexport default function () {}\n" } },
  'scenario-too-long-local': { files: { 'two-days.js': "export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '48h' } } };\nexport default function () {}\n" } },
  'scenario-bundle-too-large': {
    files: {
      'huge.js': `import { blob } from './big-data.js';\n${options2}\nexport default function () { if (blob.length === 0) throw new Error('empty'); }\n`,
      'big-data.js': `export const blob = '${'x'.repeat(1100 * 1024)}';\n`,
    },
  },
  'config-run-unknown-field': { files: { 'typo.yaml': labConfig['typo.yaml'] } },
  'config-run-missing-file': {},
  'config-run-bad-profile': {},
  'config-wrong-type': { files: { 'wrong-type.yaml': labConfig['wrong-type.yaml'] } },
  'config-unknown-field': { files: { 'typo.yaml': labConfig['typo.yaml'] } },
  'config-unknown-nested-field': { files: { 'nested-typo.yaml': labConfig['nested-typo.yaml'] } },
  'config-missing-file': {},
  'config-folder': { files: { 'conf.d': { folder: true } } },
  'config-device': {},
  'config-not-yaml': { files: { 'broken.yaml': labConfig['broken.yaml'] } },
  'config-not-json': { files: { 'broken.json': labConfig['broken.json'] } },
  'config-list-at-root': { files: { 'list.yaml': labConfig['list.yaml'] } },
  'config-profile-in-file': { files: { 'aws.yaml': labConfig['aws.yaml'] } },
  'config-sla-numbers': { files: { 'slas.yaml': labConfig['slas.yaml'] } },
  'config-teardown-unknown-field': { files: { 'typo.yaml': labConfig['typo.yaml'] } },
  'config-teardown-missing-file': {},
  'lab-up-profile-aws': {},
  'lab-up-profile-without-value': {},
  'lab-up-unknown-stack': {},
  'lab-up-stacks-without-value': {},
  'lab-up-unknown-flag': {},
  'lab-up-positional-argument': {},
  'lab-up-config-without-value': {},
  'teardown-unknown-target': {},
  'teardown-unknown-flag': {},
  'teardown-positional-argument': {},
  'teardown-profile-minikube': {},
  'teardown-run-id-on-cluster': {},
  'teardown-malformed-run-id': {},
  'teardown-keep-cluster-on-local': {},
};

interface Row {
  id: string;
  entryPoint: string;
  /** environment assignments in front of the script */
  env: Record<string, string>;
  script: Script;
  args: string[];
  exit: number;
  fragment: string;
}

const unquote = (cell: string) => cell.trim().replace(/^`(.*)`$/s, '$1');

/** Splits a command line as a shell would for these rows: spaces, '...' and "..." quoting. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The table of docs/bad-inputs.md, as rows. */
function tableRows(): Row[] {
  const lines = readFileSync(TABLE, 'utf8').split('\n');
  const header = lines.findIndex((l) => /^\| id \| entry point \| input \| exit \| message/.test(l));
  assert.ok(header >= 0, `${TABLE} has no "| id | entry point | input | exit | message" table`);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, line.trimEnd().length - 1).split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|'));
    assert.equal(cells.length, 5, `not five cells: ${line}`);
    const [id, entryPoint, input, exit, fragment] = cells.map(unquote) as [string, string, string, string, string];
    const tokens = words(input);
    const env: Record<string, string> = {};
    while (tokens[0] && /^[A-Z_]+=/.test(tokens[0])) {
      const [key, ...value] = tokens.shift()!.split('=');
      env[key!] = value.join('=');
    }
    const script = tokens.shift() as Script;
    assert.ok(SCRIPTS.includes(script), `${id}: the input must start with one of ${SCRIPTS.join(', ')}, got ${script}`);
    assert.ok(ENTRY_POINTS.has(entryPoint), `${id}: entry point "${entryPoint}" is not one of ${[...ENTRY_POINTS].join(', ')}`);
    rows.push({ id, entryPoint, env, script, args: tokens, exit: Number(exit), fragment });
  }
  return rows;
}

/** `fragment` in `text`, with "…" standing for anything (a path, a number). */
function holds(text: string, fragment: string): boolean {
  let at = 0;
  for (const part of fragment.split('…')) {
    const found = text.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return true;
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

function scratchDir(c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-bad-input-'));
  for (const [name, fixture] of Object.entries(c.files ?? {})) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof fixture === 'string') writeFileSync(path, fixture);
    else if ('symlink' in fixture) symlinkSync(fixture.symlink, path);
    else mkdirSync(path);
  }
  return dir;
}

/** A PATH with node and nothing else: no docker, kind, kubectl, terraform. */
function nodeOnlyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-node-only-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

/**
 * Live child processes of this test (a k6 left by a load, a probe). esbuild's service is not one:
 * esbuild keeps it for the life of the process that bundled (the script's, here the test's).
 */
function children(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z' && !/\/esbuild --service=/.test(cmdline)) found.push(`${entry} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const labRunsOfSweep = () => {
  const dir = join(PROJECT_ROOT, '.lab', 'runs');
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(RUN_ID_TAIL)) : [];
};

async function inProcess(row: Row, cwd: string): Promise<{ code: number; output: string; runDir?: string }> {
  const lines: string[] = [];
  const io: RunIo = { log: (l) => lines.push(l), write: () => {}, tty: false, signal: new AbortController().signal };
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_BASE_DIR: cwd, ...row.env };
  if (!('LAB_CONFIG' in row.env)) delete env.LAB_CONFIG;
  if (!('LAB_PROFILE' in row.env)) delete env.LAB_PROFILE;
  const command: RunCommand = row.script === 'run.mjs' ? 'run' : 'run-soak';
  const result = await runCommand(row.args, command, io, {
    cwd, env, now: NOW, runIdSuffix: SUFFIX, loadTimeoutMs: LOAD_TIMEOUT_MS,
    // a bad input never needs the lab's tools; nothing is installed by the sweep
    localSetup: () => undefined,
  });
  const output = [...lines, result.stderr ?? '', result.stdout ?? '', ...(result.run ? verdictLines(result.run) : [])].join('\n');
  return { code: result.exitCode, output, ...(result.run ? { runDir: result.run.resultsDir } : {}) };
}

function throughScript(row: Row, cwd: string, path: string): { code: number | null; output: string; stderr: string } {
  const run = spawnSync(ZX, [join(PROJECT_ROOT, 'scripts', row.script), ...row.args], {
    cwd, env: { PATH: path, HOME: cwd, ...row.env }, encoding: 'utf8', timeout: 60_000,
  });
  return { code: run.status, output: `${run.stderr}\n${run.stdout}`, stderr: run.stderr };
}

test('docs/bad-inputs.md and this sweep know the same cases, at least 30, from every entry point', () => {
  const rows = tableRows();
  const ids = rows.map((r) => r.id);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'an id appears twice in the table');
  assert.deepEqual(ids.filter((id) => !(id in CASES)), [], 'cases in the table this test does not know');
  assert.deepEqual(Object.keys(CASES).filter((id) => !ids.includes(id)), [], 'cases this test knows the table lacks');
  assert.ok(rows.length >= 30, `${rows.length} cases`);
  assert.deepEqual([...new Set(rows.map((r) => r.entryPoint))].sort(), [...ENTRY_POINTS].sort(), 'every entry point has cases');
});

test('every bad input of docs/bad-inputs.md: its exit code, its message, no stack trace, nothing left behind', { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  const path = nodeOnlyPath();
  const before = children();
  for (const row of tableRows()) {
    await t.test(`${row.id}: ${row.script} ${row.args.join(' ')}`, async () => {
      const c = CASES[row.id]!;
      const cwd = scratchDir(c);
      try {
        const runs: Array<{ how: string; code: number | null; output: string }> = [];
        if (row.script === 'run.mjs' || row.script === 'run-soak.mjs') {
          const result = await inProcess(row, cwd);
          runs.push({ how: 'runCommand', ...result });
          if (row.exit === 3) {
            // a lab failure is judged and written like any run: its summary says why
            assert.ok(result.runDir && existsSync(join(result.runDir, 'summary.json')), `${row.id}: no summary.json for a lab failure`);
            const summary = JSON.parse(readFileSync(join(result.runDir, 'summary.json'), 'utf8')) as { verdict: { kind: string; reasons: string[] } };
            assert.equal(summary.verdict.kind, 'lab-failure');
            assert.ok(summary.verdict.reasons.some((r) => holds(r, row.fragment)), `${row.id}: ${JSON.stringify(summary.verdict.reasons)}`);
            rmSync(result.runDir, { recursive: true, force: true });
          }
        }
        if (row.script === 'lab-up.mjs' || row.script === 'teardown.mjs' || c.alsoThroughScript) {
          const result = throughScript(row, cwd, path);
          runs.push({ how: row.script, code: result.code, output: result.output });
          if (row.exit === 2) assert.ok(holds(result.stderr, row.fragment), `${row.id} (${row.script}): the message is not on stderr:\n${result.stderr}`);
        }
        for (const run of runs) {
          assert.equal(run.code, row.exit, `${row.id} (${run.how}): exit ${run.code}, expected ${row.exit}\n${run.output}`);
          assert.ok(holds(run.output, row.fragment), `${row.id} (${run.how}): no "${row.fragment}" in:\n${run.output}`);
          assert.doesNotMatch(run.output, STACK_TRACE, `${row.id} (${run.how}): a stack trace`);
        }
        // nothing half-written, nothing left running
        if (row.exit === 2) assert.equal(existsSync(join(cwd, 'results')), false, `${row.id}: a refused run created ./results`);
        assert.deepEqual(existsSync(join(cwd, 'results')) ? readdirSync(join(cwd, 'results')) : [], [], `${row.id}: results left`);
        assert.deepEqual(labRunsOfSweep(), [], `${row.id}: a lab state folder .lab/runs/<id>`);
        assert.deepEqual(children().filter((p) => !before.includes(p)), [], `${row.id}: a process left running`);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
  rmSync(path, { recursive: true, force: true });
  t.diagnostic(`sweep of ${tableRows().length} cases: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
