// lab up/down up to the boundary this machine has: no Docker engine, no kind, no cluster.
// Real binaries throughout (terraform, kubectl, node); PATH is narrowed per test so "missing"
// is deterministic; nothing here talks to a Kubernetes API server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveLabConfig } from '../config/index.ts';
import { checkConfigFiles, checkContext, checkTools, inotifyWarnings, requiredTools } from './preflight.ts';
import { CdktfFailed, cdktfCommands, describeCommand, runCdktf, runCdktfCommands, type CdktfCommand } from './cdktf.ts';
import { ensureLabSecrets, LAB_SECRET_NAMES } from './labSecrets.ts';
import { deployedStacks, protectState } from './labState.ts';
import { accessInstructions, labDown, labUp, leftoverCrdsNotice, type StackRunner } from './lifecycle.ts';
import { ensureSimBinaries } from '../setup/controlPlane.ts';
import { isRunning } from '../process/supervisor.ts';
import { stopSimCluster } from '../sim/labSimCluster.ts';
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
  assert.equal(cdktfCommands('deploy', { terraformBinary: result.terraformBinary })[0]!.env.TERRAFORM_BINARY_NAME, 'tofu');
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

test('cdktf command lines: one stack per command, deploy in dependency order, destroy in reverse, secrets only as masked TF_VAR_', () => {
  const deploy = cdktfCommands('deploy', { variables: { redis_password: 's3cret' }, skipProviderLock: true });
  assert.deepEqual(deploy.map((c) => c.stack), ['platform', 'data', 'observability', 'target']);
  assert.deepEqual(deploy[0]!.args, ['cdktf', 'deploy', 'platform', '--auto-approve', '--ignore-missing-stack-dependencies', '--skip-provider-lock']);
  // synthesized once, by the first command
  assert.deepEqual(deploy[1]!.args, ['cdktf', 'deploy', 'data', '--auto-approve', '--ignore-missing-stack-dependencies', '--skip-synth', '--skip-provider-lock']);
  assert.equal(deploy[0]!.env.TF_VAR_redis_password, 's3cret');
  assert.equal(deploy[0]!.env.CHECKPOINT_DISABLE, '1');
  assert.ok(!describeCommand(deploy[0]!).includes('s3cret'));
  const destroy = cdktfCommands('destroy', { stacks: ['data', 'platform'] });
  assert.deepEqual(destroy.map((c) => c.args.slice(1, 3)), [['destroy', 'data'], ['destroy', 'platform']]);
  assert.deepEqual(cdktfCommands('destroy').map((c) => c.stack), ['target', 'observability', 'data', 'platform']);
  assert.ok(cdktfCommands('deploy', { noColor: true })[0]!.args.includes('--no-color'));
});

test('cdktf destroy runs against a provider mirror too: --skip-provider-lock reaches it (issue 10 F4)', () => {
  for (const cmd of cdktfCommands('destroy', { skipProviderLock: true })) assert.ok(cmd.args.includes('--skip-provider-lock'), cmd.args.join(' '));
  assert.ok(!cdktfCommands('destroy')[0]!.args.includes('--skip-provider-lock'));
});

/** A stand-in for one cdktf command: node running `script` (the real cdktf needs a cluster). */
const fakeCdktf = (stack: CdktfCommand['stack'], script: string): CdktfCommand => ({ stack, action: 'deploy', command: process.execPath, args: ['-e', script], env: {} });
const TERRAFORM_ERROR = [
  'platform  \\x1b[31m╷\\x1b[0m',
  'platform  \\x1b[31m│\\x1b[0m \\x1b[1m\\x1b[31mError: \\x1b[0minstallation failed',
  'platform  \\x1b[31m│\\x1b[0m',
  'platform  \\x1b[31m│\\x1b[0m   with helm_release.cnpg,',
  'platform  \\x1b[31m│\\x1b[0m no matches for kind \\"PodMonitor\\" in version \\"monitoring.coreos.com/v1\\"',
  'platform  \\x1b[31m╵\\x1b[0m',
].join('\\n');

test('a failing stack stops the deploy with an error naming it, its exit and Terraform\'s error; the stacks after it are not started (issue 10 F12)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-'));
  const marker = join(dir, 'target-started');
  const cmds = [
    fakeCdktf('platform', `console.log("${TERRAFORM_ERROR}"); process.exit(7)`),
    fakeCdktf('target', `require("fs").writeFileSync(${JSON.stringify(marker)}, "")`),
  ];
  const lines: string[] = [];
  await assert.rejects(runCdktfCommands(cmds, (l) => lines.push(l), { tty: false }), (error: unknown) => {
    assert.ok(error instanceof CdktfFailed);
    assert.equal(error.stackName, 'platform');
    assert.deepEqual(error.exit, { code: 7, signal: null });
    assert.match(error.message, /^cdktf deploy platform crashed \(exit 7: cdktf itself failed while handling an error/);
    assert.match(error.message, /Error: installation failed — no matches for kind "PodMonitor" in version "monitoring\.coreos\.com\/v1"/);
    assert.match(error.message, /deployed: none; not started: target/);
    return true;
  });
  assert.equal(existsSync(marker), false, 'target must not start after platform failed');
  // any non-zero exit is an error, with its code
  await assert.rejects(runCdktf(fakeCdktf('data', 'process.exit(1)'), () => {}), /^CdktfFailed: cdktf deploy data failed \(exit 1\) after 00:0\d$/);
});

test('cdktf output: escape sequences are removed from every line when the log is not a terminal, kept when it is (issue 10 F13)', async () => {
  const print = fakeCdktf('data', 'console.log("\\x1b[32mdata\\x1b[0m  helm_release.postgres: \\x1b[1mCreating...\\x1b[0m")');
  const plain: string[] = [];
  await runCdktf(print, (l) => plain.push(l), { tty: false });
  assert.match(plain[0]!, /^\[00:0\d\] data  helm_release\.postgres: Creating\.\.\.$/);
  const tty: string[] = [];
  await runCdktf(print, (l) => tty.push(l), { tty: true });
  assert.ok(tty[0]!.includes('\x1b[32m'));
});

test('state files hold the generated passwords: cdktf runs with umask 077 and .lab/state is 0700 with 0600 files (issue 10 F13)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'state-'));
  mkdirSync(join(root, '.lab', 'state'), { recursive: true, mode: 0o755 });
  const old = join(root, '.lab', 'state', 'platform.tfstate');
  writeFileSync(old, '{}', { mode: 0o644 });
  chmodSync(old, 0o644);
  assert.deepEqual(protectState(root), [old]);
  assert.equal(statSync(old).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, '.lab', 'state')).mode & 0o777, 0o700);
  assert.equal(statSync(join(root, '.lab')).mode & 0o777, 0o700);
  assert.deepEqual(protectState(root), [], 'nothing left to tighten');
  // what terraform creates inside a cdktf run (it opens files 0666 & ~umask)
  const created = join(root, '.lab', 'state', 'data.tfstate');
  await runCdktf(fakeCdktf('data', `require("fs").writeFileSync(${JSON.stringify(created)}, "{}", { mode: 0o666 })`), () => {});
  assert.equal(statSync(created).mode & 0o777, 0o600);
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

test('teardown takes --skip-provider-lock (lab-up did), and says so in its usage (issue 10 F4)', { skip: realLabDeployed && 'a real lab is deployed from this checkout' }, () => {
  const bin = pathWith({ node: process.execPath });
  const zx = join(PROJECT_ROOT, 'node_modules', '.bin', 'zx');
  const run = spawnSync(zx, [join(PROJECT_ROOT, 'scripts', 'teardown.mjs'), '--skip-provider-lock'], { cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /nothing to remove: the lab was already down/);
  const help = spawnSync(zx, [join(PROJECT_ROOT, 'scripts', 'teardown.mjs'), '--help'], { cwd: PROJECT_ROOT, env: { PATH: bin, HOME: tmpdir() }, encoding: 'utf8' });
  assert.match(help.stdout, /--skip-provider-lock/);
});

test('teardown names the CRDs the charts leave in a cluster that stays, and how to remove them (issue 10 F13)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
  const cloud = resolveLabConfig({ profile: 'cloud', paths: { baseDir: home, home } });
  // kubectl as the cluster answers `get crd -o name`: the lab's CRDs among others
  const bin = mkdtempSync(join(tmpdir(), 'bin-'));
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh
printf '%s\\n' customresourcedefinition.apiextensions.k8s.io/certificates.cert-manager.io \\
  customresourcedefinition.apiextensions.k8s.io/podmonitors.monitoring.coreos.com \\
  customresourcedefinition.apiextensions.k8s.io/testruns.k6.io \\
  customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io \\
  customresourcedefinition.apiextensions.k8s.io/redisclusters.redis.redis.opstreelabs.in
`, { mode: 0o755 });
  const root = mkdtempSync(join(tmpdir(), 'nolab-'));
  const lines: string[] = [];
  assert.deepEqual(await labDown(cloud, { log: (l) => lines.push(l), env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home }, root }), []);
  const notice = lines.find((l) => l.startsWith('left in the cluster:'));
  assert.equal(notice, 'left in the cluster: 4 CRDs the charts installed (Helm never deletes CRDs): clusters.postgresql.cnpg.io, podmonitors.monitoring.coreos.com, redisclusters.redis.redis.opstreelabs.in, testruns.k6.io');
  assert.ok(lines.includes(`  kubectl --kubeconfig ${home}/.kube/config --context perflab delete crd clusters.postgresql.cnpg.io podmonitors.monitoring.coreos.com redisclusters.redis.redis.opstreelabs.in testruns.k6.io`), lines.join('\n'));
  // unreachable cluster: the groups and the command that lists them; no CRDs left: nothing said
  assert.match(leftoverCrdsNotice(cloud, undefined).join('\n'), /could not list them[\s\S]*grep -E '\\\.\(monitoring\\\.coreos\\\.com\|k6\\\.io\|postgresql\\\.cnpg\\\.io\|redis\\\.redis\\\.opstreelabs\\\.in\)\$'/);
  assert.deepEqual(leftoverCrdsNotice(cloud, []), []);
});

test('lab up --dry-run warns when the requests do not fit cluster.nodes, and prints one cdktf command per stack', { skip: (!TERRAFORM || !KUBECTL) && 'terraform/kubectl not installed' }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
  const tooBig = resolveLabConfig({ profile: 'cloud', overrides: { postgres: { resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '3', memory: '12Gi' } } } }, paths: { baseDir: home, home } });
  const lines: string[] = [];
  // the registries: a stand-in that says every image is there (nothing here leaves loopback)
  const asked: string[] = [];
  const imagePullCheck = async (ref: string) => (asked.push(ref), { pullable: true as const });
  await labUp(tooBig, { log: (l) => lines.push(l), dryRun: true, skipProviderLock: true, tty: false, imagePullCheck, env: { PATH: pathWith({ terraform: TERRAFORM, kubectl: KUBECTL }), HOME: home } });
  assert.equal(asked.length, 5, 'the target\'s Node image, the k6 runner, Postgres, Redis, redis_exporter');
  assert.ok(lines.some((l) => l.startsWith('warning: does not fit cluster.nodes, pods will stay Pending: pool data (postgres 3 x 2 CPU / 8Gi')), lines.join('\n'));
  const planned = lines.filter((l) => l.startsWith('would run: '));
  assert.equal(planned.length, 4);
  assert.match(planned[0]!, /npx cdktf deploy platform --auto-approve --ignore-missing-stack-dependencies --skip-provider-lock --no-color$/);
});

test('preflight: a chart mirror\'s CA file that does not exist is named by its field (issue 10 F10)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-'));
  writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  const config = resolveLabConfig({
    profile: 'cloud',
    overrides: { cluster: { kubeconfig: 'kubeconfig' }, charts: { redisOperator: { repository: 'https://mirror.example/ot', caFile: 'ca.pem' } } },
    paths: { baseDir: dir },
  });
  assert.deepEqual(checkConfigFiles(config).map((p) => `${p.tool}: ${p.problem}`), [`charts.redisOperator.caFile: ${join(dir, 'ca.pem')} does not exist`]);
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  assert.deepEqual(checkConfigFiles(config), []);
});

test('lab up and down on the sim profile against a real simulated cluster (the cdktf processes are a stand-in): started, reused, what is left named, stopped; twice is fine', { skip: !TERRAFORM && 'terraform not installed (preflight needs it)', timeout: 40 * 60_000 }, async () => {
  const binaries = await ensureSimBinaries((line) => console.log(line));
  const root = mkdtempSync(join(tmpdir(), 'perflab-simlab-'));
  const sim = resolveLabConfig({ profile: 'sim', overrides: { cluster: { kubeconfig: join(root, '.lab', 'sim', 'kubeconfig') } } });
  const env = { PATH: pathWith({ terraform: TERRAFORM, kubectl: binaries.kubectl }), HOME: root };
  const kubectl = (...args: string[]) => spawnSync(binaries.kubectl, ['--kubeconfig', sim.cluster.kubeconfig, '--context', sim.cluster.context, ...args], { encoding: 'utf8' });
  const stateOf = (stack: string, resources: unknown[]) => writeFileSync(join(root, '.lab', 'state', `${stack}.tfstate`), JSON.stringify({ version: 4, resources }));
  const ran: string[] = [];
  // what cdktf would do to the cluster, by kubectl: deploy leaves a CRD and a namespace (and state), destroy removes the state only
  const standIn: StackRunner = async (cmds) => {
    for (const cmd of cmds) {
      const first = !ran.includes(`${cmd.action} ${cmd.stack}`);
      ran.push(`${cmd.action} ${cmd.stack}`);
      if (cmd.action === 'deploy' && cmd.stack === 'platform' && first) {
        const created = kubectl('create', 'namespace', 'perflab-left-behind');
        assert.equal(created.status, 0, created.stderr);
        const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } };
        writeFileSync(join(root, 'crd.json'), JSON.stringify(crd));
        const applied = kubectl('apply', '-f', join(root, 'crd.json'));
        assert.equal(applied.status, 0, applied.stderr);
      }
      stateOf(cmd.stack, cmd.action === 'deploy' ? [{ mode: 'managed', type: 'helm_release', name: cmd.stack, instances: [{}] }] : []);
    }
  };
  const up: string[] = [];
  try {
    await labUp(sim, { log: (l) => up.push(l), env, root, tty: false, runStacks: standIn, skipProviderLock: true });
    const text = up.join('\n');
    assert.match(text, /starting a simulated cluster: perflab-control-plane \(8 CPU \/ 16Gi\), perflab-data .*perflab-monitoring/);
    assert.match(text, /simulated cluster started \(00:\d\d\)/);
    assert.match(text, /lab up in \d\d:\d\d: platform, data, observability, target deployed into perflab-sim/);
    assert.deepEqual(ran, ['deploy platform', 'deploy data', 'deploy observability', 'deploy target']);
    const pids = readFileSync(join(root, '.lab', 'sim', 'cluster', 'processes.json'), 'utf8');

    const again: string[] = [];
    await labUp(sim, { log: (l) => again.push(l), env, root, tty: false, runStacks: standIn });
    assert.match(again.join('\n'), /reusing it\nsimulated cluster reused/);
    assert.equal(readFileSync(join(root, '.lab', 'sim', 'cluster', 'processes.json'), 'utf8'), pids);

    const down: string[] = [];
    const removed = await labDown(sim, { log: (l) => down.push(l), env, root, tty: false, runStacks: standIn });
    assert.deepEqual(ran.slice(-4), ['destroy target', 'destroy observability', 'destroy data', 'destroy platform']);
    const said = down.join('\n');
    assert.match(said, /left in the simulated cluster, going with it: 1 CRDs \(widgets\.example\.com\); namespaces besides Kubernetes' own: perflab-left-behind/);
    assert.match(said, /simulated cluster: stopped kwok, kube-scheduler, kube-controller-manager, kube-apiserver, etcd; removed \.lab\/sim\/cluster, \.lab\/sim\/kubeconfig/);
    assert.match(said, /removed their emptied state .*\.lab\/state\/target\.tfstate/);
    assert.match(said, /kept: \.lab\/secrets\.json/);
    assert.equal(removed.length, 5, removed.join('\n'));
    const recorded = JSON.parse(pids) as Array<{ pid: number }>;
    assert.deepEqual(recorded.filter((p) => isRunning(p.pid)), [], 'no process of the cluster is left');
    assert.equal(existsSync(join(root, '.lab', 'sim')), false);
    assert.deepEqual(deployedStacks(root), []);

    const twice: string[] = [];
    assert.deepEqual(await labDown(sim, { log: (l) => twice.push(l), env, root, tty: false, runStacks: standIn }), []);
    assert.match(twice.join('\n'), /nothing to remove: the lab was already down/);
  } finally {
    await stopSimCluster(root);
  }
});
