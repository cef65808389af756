// lab up/down up to the boundary this machine has: no Docker engine, no kind, no cluster.
// Real binaries throughout (terraform, kubectl, node); PATH is narrowed per test so "missing"
// is deterministic; nothing here talks to a Kubernetes API server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveLabConfig } from '../config/index.ts';
import { checkConfigFiles, checkContext, checkTools, inotifyWarnings, requiredTools } from './preflight.ts';
import { cdktfCommand, describeCommand } from './cdktf.ts';
import { ensureLabSecrets, LAB_SECRET_NAMES } from './labSecrets.ts';
import { deployedStacks } from './labState.ts';
import { accessInstructions, labDown } from './lifecycle.ts';
import { PROJECT_ROOT } from '../paths.ts';

const kind = resolveLabConfig();
const cloud = resolveLabConfig({ profile: 'cloud' });
const which = (name: string) => spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || undefined;
const TERRAFORM = which('terraform');
const KUBECTL = which('kubectl');

/** A PATH holding only the named real binaries (optionally under other names). */
function pathWith(links: Record<string, string | undefined>): string {
  const dir = mkdtempSync(join(tmpdir(), 'path-'));
  for (const [name, target] of Object.entries(links)) if (target) symlinkSync(target, join(dir, name));
  return dir;
}

test('preflight (kind): missing kind and docker are named, each with how to get it', { skip: !TERRAFORM && 'terraform not installed' }, () => {
  const result = checkTools(kind, { PATH: pathWith({ terraform: TERRAFORM, kubectl: KUBECTL }), HOME: tmpdir() });
  assert.equal(result.ok, false);
  const byTool = Object.fromEntries(result.problems.map((p) => [p.tool, p]));
  assert.match(byTool.docker!.problem, /not found on PATH/);
  assert.match(byTool.docker!.fix, /docs\.docker\.com/);
  assert.match(byTool.kind!.problem, /not found on PATH/);
  assert.match(byTool.kind!.fix, /sigs\.k8s\.io\/kind@v0\.32\.0/);
  assert.equal(byTool.terraform, undefined);
  assert.equal(result.terraformBinary, 'terraform');
});

test('preflight: neither terraform nor tofu; TERRAFORM_BINARY_NAME naming a missing binary', () => {
  const empty = pathWith({});
  const none = checkTools(cloud, { PATH: empty });
  assert.deepEqual(none.problems.map((p) => p.tool).sort(), ['kubectl', 'terraform']);
  assert.match(none.problems.find((p) => p.tool === 'terraform')!.problem, /neither terraform nor tofu/);
  assert.match(none.problems.find((p) => p.tool === 'terraform')!.fix, /opentofu\.org/);
  const wanted = checkTools(cloud, { PATH: empty, TERRAFORM_BINARY_NAME: 'tofu' });
  assert.match(wanted.problems.find((p) => p.tool === 'terraform')!.problem, /TERRAFORM_BINARY_NAME=tofu is not on PATH/);
});

test('preflight (cloud): tofu is accepted in place of terraform', { skip: (!TERRAFORM || !KUBECTL) && 'terraform/kubectl not installed' }, () => {
  const result = checkTools(cloud, { PATH: pathWith({ tofu: TERRAFORM, kubectl: KUBECTL }), HOME: tmpdir() });
  assert.deepEqual(result.problems, []);
  assert.equal(result.terraformBinary, 'tofu');
  assert.equal(cdktfCommand('deploy', { terraformBinary: result.terraformBinary }).env.TERRAFORM_BINARY_NAME, 'tofu');
});

const DOCKER = which('docker');
const dockerEngineUp = DOCKER !== undefined && spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status === 0;
test('preflight: a docker CLI without a running engine is reported as such', { skip: (!DOCKER || dockerEngineUp) && 'needs a docker CLI and no engine' }, () => {
  const result = checkTools(kind, { PATH: pathWith({ docker: DOCKER }), HOME: tmpdir() });
  const docker = result.problems.find((p) => p.tool === 'docker')!;
  assert.match(docker.problem, /Docker engine is not reachable/);
});

test('preflight: an unreachable context is named with the kubeconfig it was looked up in', { skip: !KUBECTL && 'kubectl not installed' }, () => {
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: perflab, context: {cluster: c, user: u}}]
current-context: perflab
`);
  const config = resolveLabConfig({ profile: 'cloud', paths: { baseDir: home, home } });
  const problem = checkContext(config, { PATH: dirname(KUBECTL!) + ':/usr/bin:/bin', HOME: home });
  assert.ok(problem, 'a closed port must not count as reachable');
  assert.equal(problem.problem.startsWith(`context "perflab" in ${home}/.kube/config is not reachable`), true, problem.problem);
  assert.match(problem.fix, /kubectl config get-contexts/);
});

test('cdktf command lines: deploy in dependency order, destroy in reverse, secrets only as masked TF_VAR_', () => {
  const deploy = cdktfCommand('deploy', { variables: { redis_password: 's3cret' }, skipProviderLock: true });
  assert.deepEqual(deploy.args, ['cdktf', 'deploy', 'platform', 'data', 'observability', 'target', '--auto-approve', '--skip-provider-lock']);
  assert.equal(deploy.env.TF_VAR_redis_password, 's3cret');
  assert.equal(deploy.env.CHECKPOINT_DISABLE, '1');
  assert.ok(!describeCommand(deploy).includes('s3cret'));
  const destroy = cdktfCommand('destroy', { stacks: ['data', 'platform'] });
  assert.deepEqual(destroy.args, ['cdktf', 'destroy', 'data', 'platform', '--auto-approve', '--ignore-missing-stack-dependencies']);
  assert.deepEqual(cdktfCommand('destroy').args.slice(2, 6), ['target', 'observability', 'data', 'platform']);
});

test('lab secrets: generated URL-safe into a 0600 file, reused by the next up', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lab-')), '.lab');
  const first = ensureLabSecrets(dir);
  assert.deepEqual(first.created, [...LAB_SECRET_NAMES]);
  for (const value of Object.values(first.secrets)) assert.match(value, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(statSync(first.file).mode & 0o777, 0o600);
  assert.notEqual(first.secrets.redis_password, first.secrets.grafana_admin_password);
  const second = ensureLabSecrets(dir);
  assert.deepEqual(second.secrets, first.secrets);
  assert.deepEqual(second.created, []);
  writeFileSync(first.file, JSON.stringify({ ...first.secrets, redis_password: 'x' }));
  const repaired = ensureLabSecrets(dir);
  assert.deepEqual(repaired.created, ['redis_password']);
  assert.equal(repaired.secrets.grafana_admin_password, first.secrets.grafana_admin_password);
});

function halfBuiltLab(): string {
  const root = mkdtempSync(join(tmpdir(), 'halfbuilt-'));
  mkdirSync(join(root, '.lab', 'state'), { recursive: true });
  const state = (resources: unknown[]) => JSON.stringify({ version: 4, terraform_version: '1.11.4', resources });
  writeFileSync(join(root, '.lab', 'state', 'platform.tfstate'), state([
    { mode: 'managed', type: 'kubernetes_namespace_v1', name: 'namespace-perflab-data', instances: [{}] },
    { mode: 'managed', type: 'helm_release', name: 'monitoring', instances: [{}] },
  ]));
  writeFileSync(join(root, '.lab', 'state', 'data.tfstate'), state([]));
  return root;
}

test('lab down on a half-built kind lab whose cluster is gone: forgets the state, says so; twice is fine', async () => {
  const root = halfBuiltLab();
  assert.deepEqual(deployedStacks(root).map((s) => s.stack), ['platform']);
  const lines: string[] = [];
  const env = { PATH: pathWith({}), HOME: root };
  const removed = await labDown(kind, { log: (l) => lines.push(l), env, root });
  assert.deepEqual(removed, ['state .lab/state/platform.tfstate', 'state .lab/state/data.tfstate']);
  assert.ok(lines.some((l) => /kind cluster perflab is gone/.test(l)), lines.join('\n'));
  assert.equal(existsSync(join(root, '.lab', 'state', 'platform.tfstate')), false);
  const again: string[] = [];
  assert.deepEqual(await labDown(kind, { log: (l) => again.push(l), env, root }), []);
  assert.match(again.at(-1)!, /nothing to remove: the lab was already down/);
});

const realLabDeployed = deployedStacks(PROJECT_ROOT).length > 0;
test('scripts/lab-up.mjs: preflight stops before touching anything and says what is missing', () => {
  // PATH without docker and kind whatever this machine has
  const bin = pathWith({ node: process.execPath, terraform: TERRAFORM, kubectl: KUBECTL });
  const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'zx'), [join(PROJECT_ROOT, 'scripts', 'lab-up.mjs')], {
    cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8',
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /preflight failed, nothing was changed/);
  assert.match(run.stderr, /docker: not found on PATH/);
  assert.match(run.stderr, /kind: not found on PATH/);
  const bad = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'zx'), [join(PROJECT_ROOT, 'scripts', 'lab-up.mjs'), '--stacks', 'platform,db'], {
    cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--stacks must list some of platform, data, observability, target, got "platform,db"/);
});

test('scripts/teardown.mjs twice on this machine (no lab): succeeds both times and says nothing was there', { skip: realLabDeployed && 'a real lab is deployed from this checkout' }, () => {
  const bin = pathWith({ node: process.execPath });
  for (let i = 0; i < 2; i++) {
    const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'zx'), [join(PROJECT_ROOT, 'scripts', 'teardown.mjs')], {
      cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /nothing to remove: the lab was already down/);
  }
});

test('preflight: low inotify limits are warned about with the sysctl that fixes them', () => {
  const low = inotifyWarnings((file) => (file.endsWith('max_user_watches') ? '8192' : '1024'));
  assert.equal(low.length, 1);
  assert.match(low[0]!, /fs\.inotify\.max_user_watches is 8192.*sysctl fs\.inotify\.max_user_watches=524288/);
  assert.deepEqual(inotifyWarnings(() => undefined), []);
});

test('preflight: a kubeconfig that does not exist is named with its absolute path before anything is changed', { skip: (!TERRAFORM || !KUBECTL) && 'terraform/kubectl not installed' }, () => {
  const userDir = mkdtempSync(join(tmpdir(), 'userdir-'));
  const missing = resolveLabConfig({ profile: 'cloud', overrides: { cluster: { kubeconfig: 'kube/nope.yaml' } }, paths: { baseDir: userDir } });
  const [problem] = checkConfigFiles(missing);
  assert.equal(problem!.tool, 'cluster.kubeconfig');
  assert.equal(problem!.problem, `${join(userDir, 'kube', 'nope.yaml')} does not exist`);
  assert.deepEqual(checkConfigFiles(kind), [], 'on kind, kind writes the kubeconfig: checked after the cluster exists');
  // the script, run from the user's directory with a relative config file naming a relative kubeconfig
  writeFileSync(join(userDir, 'lab.yaml'), 'cluster:\n  context: prod\n  kubeconfig: kube/nope.yaml\n');
  const bin = pathWith({ node: process.execPath, terraform: TERRAFORM, kubectl: KUBECTL });
  const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'zx'), [join(PROJECT_ROOT, 'scripts', 'lab-up.mjs'), '--profile', 'cloud', '--config', 'lab.yaml'], {
    cwd: userDir, env: { PATH: bin, HOME: userDir }, encoding: 'utf8',
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /preflight failed, nothing was changed/);
  assert.ok(run.stderr.includes(`cluster.kubeconfig: ${join(userDir, 'kube', 'nope.yaml')} does not exist`), run.stderr);
});

test('access instructions name the kubeconfig when it is not kubectl\'s default', () => {
  const home = '/home/tester';
  const usual = resolveLabConfig({ profile: 'cloud', paths: { baseDir: '/', home } });
  assert.ok(!accessInstructions(usual, home).join('\n').includes('--kubeconfig'));
  const other = resolveLabConfig({ profile: 'cloud', overrides: { cluster: { kubeconfig: '/srv/lab/kubeconfig' } }, paths: { baseDir: '/', home } });
  assert.match(accessInstructions(other, home)[1]!, /kubectl --kubeconfig \/srv\/lab\/kubeconfig --context perflab -n perflab-monitoring port-forward/);
});

test('preflight (sim): kubectl and terraform|tofu only, no docker or kind', () => {
  const sim = resolveLabConfig({ profile: 'sim' });
  assert.deepEqual(requiredTools(sim), ['kubectl', 'terraform']);
  const none = checkTools(sim, { PATH: pathWith({}) });
  assert.deepEqual(none.problems.map((p) => p.tool).sort(), ['kubectl', 'terraform']);
});

test('lab down (sim) whose simulated cluster is gone (no kubeconfig): forgets the state, like kind', async () => {
  const root = halfBuiltLab();
  const sim = resolveLabConfig({ profile: 'sim', overrides: { cluster: { kubeconfig: join(root, '.lab', 'sim', 'kubeconfig') } } });
  const lines: string[] = [];
  const removed = await labDown(sim, { log: (l) => lines.push(l), env: { PATH: pathWith({}), HOME: root }, root });
  assert.deepEqual(removed, ['state .lab/state/platform.tfstate', 'state .lab/state/data.tfstate']);
  assert.ok(lines.some((l) => l.startsWith('simulated cluster (') && l.includes('is gone: forgot the state of platform')), lines.join('\n'));
});

test('scripts: --profile takes sim, and names every profile when it is wrong', { skip: realLabDeployed && 'a real lab is deployed from this checkout' }, () => {
  const bin = pathWith({ node: process.execPath });
  const zx = join(PROJECT_ROOT, 'node_modules', '.bin', 'zx');
  const bad = spawnSync(zx, [join(PROJECT_ROOT, 'scripts', 'teardown.mjs'), '--profile', 'minikube'], { cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--profile must be one of kind, cloud, sim, got "minikube"/);
  const sim = spawnSync(zx, [join(PROJECT_ROOT, 'scripts', 'teardown.mjs'), '--profile', 'sim'], { cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stdout + sim.stderr);
  assert.match(sim.stdout, /nothing to remove: the lab was already down/);
});
