// lab:up's image steps for target.delivery "image", with stand-in `docker`, `kind` and `kubectl`
// executables on PATH (Docker and kind cannot run on this machine): each answers the exact argv
// lab:up gives it from a small state file (docker's images and labels, each kind node's
// containerd images, the clusters) and records it, so the tests see the command sequence and what
// happens when a step fails. The cdktf processes are a stand-in too. What the stand-ins cannot
// show: that target/Dockerfile builds — its base image comes from Docker Hub, which this machine
// cannot reach, and no Docker engine runs here, so it has not been built (docs/target.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { labUp, PreflightFailed, type StackRunner } from './lifecycle.ts';
import { dockerBuildArgs, SOURCE_LABEL, targetImageSourceHash, targetImageSources } from './targetImage.ts';

interface StandInState {
  /** docker's images: ref -> id and source label */
  images: Record<string, { id: string; label?: string }>;
  /** kind clusters: name -> node -> refs -> id */
  clusters: Record<string, Record<string, Record<string, string>>>;
  fail?: { build?: boolean; load?: boolean; push?: boolean };
}

const STAND_IN = `#!${process.execPath}
// stand-in for docker, kind and kubectl (lab/cluster/targetImage.test.ts): answers from $STANDIN_STATE, records to $STANDIN_LOG
const fs = require('node:fs');
const path = require('node:path');
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const stateFile = process.env.STANDIN_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify([tool, ...args]) + '\\n');
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
const flag = (name) => args[args.indexOf(name) + 1];
const say = (text, code = 0) => { if (text) process.stdout.write(text + '\\n'); process.exit(code); };
if (tool === 'docker') {
  if (args[0] === 'info') say('29.1.0');
  if (args[0] === 'image' && args[1] === 'inspect') {
    const image = state.images[args.at(-1)];
    if (!image) { process.stderr.write('Error: No such image: ' + args.at(-1) + '\\n'); process.exit(1); }
    say(image.id + ' ' + (image.label ?? '<no value>'));
  }
  if (args[0] === 'build') {
    console.log('#1 [internal] load build definition from Dockerfile');
    console.log('#2 [deps 1/4] FROM docker.io/library/' + flag('--build-arg').split('=')[1]);
    if (state.fail?.build) { console.log('#9 ERROR: process "/bin/sh -c npm install --omit=dev" did not complete successfully: exit code: 1'); process.exit(1); }
    const label = flag('--label').split('=')[1];
    state.images[flag('--tag')] = { id: 'sha256:' + label.slice(0, 12) + 'f'.repeat(52), label };
    save();
    say('#12 naming to ' + flag('--tag') + ' done');
  }
  if (args[0] === 'push') {
    if (state.fail?.push) say('denied: requested access to the resource is denied', 1);
    say('0.1.0: digest: sha256:' + 'c'.repeat(64) + ' size: 1234');
  }
  if (args[0] === 'exec' && args[2] === 'crictl' && args[3] === 'inspecti') {
    for (const nodes of Object.values(state.clusters)) {
      const id = nodes[args[1]]?.[args[4]];
      if (id) say(JSON.stringify({ status: { id, repoTags: [args[4]] } }));
    }
    process.stderr.write('no such image "' + args[4] + '" present\\n');
    process.exit(1);
  }
}
if (tool === 'kind') {
  if (args[0] === 'version') say('kind v0.32.0 go1.25 linux/amd64');
  if (args[0] === 'get' && args[1] === 'clusters') say(Object.keys(state.clusters).join('\\n'));
  if (args[0] === 'get' && args[1] === 'nodes') say(Object.keys(state.clusters[flag('--name')] ?? {}).join('\\n'));
  if (args[0] === 'create') {
    const name = flag('--name');
    state.clusters[name] = Object.fromEntries(['control-plane', 'worker', 'worker2', 'worker3', 'worker4'].map((n) => [name + '-' + n, {}]));
    save();
    say('Creating cluster "' + name + '" ...');
  }
  if (args[0] === 'load') {
    if (state.fail?.load) say('ERROR: failed to load image: command "docker exec --privileged -i perflab-worker ctr --namespace=k8s.io images import" failed', 1);
    const image = state.images[args[2]];
    for (const node of flag('--nodes').split(',')) state.clusters[flag('--name')][node][args[2]] = image.id;
    save();
    say('Image: "' + args[2] + '" with ID "' + image.id + '" not yet present on node, loading...');
  }
}
if (tool === 'kubectl') say('ok');
if (tool === 'terraform') say('Terraform v1.11.4');
process.stderr.write(tool + ' stand-in: no answer for ' + args.join(' ') + '\\n');
process.exit(3);
`;

interface Bench {
  root: string;
  env: NodeJS.ProcessEnv;
  state: () => StandInState;
  setState: (s: StandInState) => void;
  /** every stand-in call and every stack deploy, in order */
  calls: () => string[];
  runStacks: StackRunner;
}

function bench(initial: Partial<StandInState> = {}): Bench {
  const root = mkdtempSync(join(tmpdir(), 'perflab-image-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const tool of ['docker', 'kind', 'kubectl', 'terraform']) writeFileSync(join(bin, tool), STAND_IN, { mode: 0o755 });
  const stateFile = join(root, 'state.json');
  const log = join(root, 'calls.log');
  writeFileSync(log, '');
  const setState = (s: StandInState) => writeFileSync(stateFile, JSON.stringify(s));
  setState({ images: {}, clusters: {}, ...initial });
  const home = join(root, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
  return {
    root,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home, STANDIN_STATE: stateFile, STANDIN_LOG: log },
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')) as StandInState,
    setState,
    calls: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as string[]).join(' ')),
    runStacks: async (cmds) => {
      for (const cmd of cmds) appendFileSync(log, `${JSON.stringify(['cdktf', cmd.action, cmd.stack])}\n`);
    },
  };
}

const everyImagePullable = async () => ({ pullable: true as const });
const up = (b: Bench, config: LabConfig, more: { push?: boolean; dryRun?: boolean } = {}) => {
  const lines: string[] = [];
  const done = labUp(config, { log: (l) => lines.push(l), env: b.env, root: b.root, tty: false, runStacks: b.runStacks, imagePullCheck: everyImagePullable, ...more });
  return { lines, done };
};
/** the calls that change something, and the deploys */
const steps = (calls: string[]) => calls.filter((c) => /^(docker (build|push)|kind (create|load)|cdktf )/.test(c));

/** kind with delivery image; its kubeconfig under the bench's home (kind would write it there) */
const kindImageFor = (b: Bench) => resolveLabConfig({ overrides: { target: { delivery: 'image' } }, paths: { baseDir: '/', home: b.env.HOME! } });
const REF = 'perflab/target-api:0.1.0';
const NODE_IMAGE = 'node:20.20.2-bookworm-slim';
const HASH = targetImageSourceHash(PROJECT_ROOT, NODE_IMAGE);
const NODES = ['perflab-control-plane', 'perflab-worker', 'perflab-worker2', 'perflab-worker3', 'perflab-worker4'];

test('the image\'s source hash covers what the build context sends (the Dockerfile, its .dockerignore, package files, tsconfig, target/src without tests) and the Node base image', () => {
  const sources = targetImageSources(PROJECT_ROOT);
  assert.ok(sources.includes('target/Dockerfile') && sources.includes('target/Dockerfile.dockerignore') && sources.includes('package-lock.json'));
  assert.ok(sources.includes('target/src/main.ts'));
  assert.ok(!sources.some((f) => f.endsWith('.test.ts')), 'tests are not sent');
  assert.match(HASH, /^[0-9a-f]{64}$/);
  assert.notEqual(targetImageSourceHash(PROJECT_ROOT, 'node:22.0.0-bookworm-slim'), HASH);
  assert.deepEqual(dockerBuildArgs(REF, HASH, NODE_IMAGE), ['build', '-f', 'target/Dockerfile', '--build-arg', `NODE_IMAGE=${NODE_IMAGE}`, '--label', `${SOURCE_LABEL}=${HASH}`, '--tag', REF, '.']);
});

test('stand-in docker and kind: lab:up on kind with the default delivery (bundle) has no image step: the bundle is built and sized in preflight, the Node image checked like the others, then the cluster and the stacks', async () => {
  const b = bench();
  const run = up(b, resolveLabConfig({ paths: { baseDir: '/', home: b.env.HOME! } }));
  await run.done;
  assert.deepEqual(steps(b.calls()), [
    `kind create cluster --name perflab --config ${join(b.root, 'kind-config.yaml')} --wait 180s`,
    'cdktf deploy platform', 'cdktf deploy data', 'cdktf deploy observability', 'cdktf deploy target',
  ]);
  const said = run.lines.join('\n');
  assert.match(said, /target bundle \(delivery bundle, on node:20\.20\.2-bookworm-slim\): \d+ bytes, \d+ gzipped into ConfigMap target-api-bundle, sha256 [0-9a-f]{12} \(\d+ ms\)/);
  assert.match(said, /^image node:20\.20\.2-bookworm-slim: pullable from registry-1\.docker\.io$/m);
});

test('stand-in docker and kind: lab:up on kind with delivery image builds the image before the cluster is created, loads it into every node, then deploys; a second lab:up builds and loads nothing', async () => {
  const b = bench();
  const first = up(b, kindImageFor(b));
  await first.done;
  assert.deepEqual(steps(b.calls()), [
    `docker ${dockerBuildArgs(REF, HASH, NODE_IMAGE).join(' ')}`,
    `kind create cluster --name perflab --config ${join(b.root, 'kind-config.yaml')} --wait 180s`,
    `kind load docker-image ${REF} --name perflab --nodes ${NODES.join(',')}`,
    'cdktf deploy platform', 'cdktf deploy data', 'cdktf deploy observability', 'cdktf deploy target',
  ]);
  const said = first.lines.join('\n');
  assert.match(said, new RegExp(`target image ${REF}: building from target/Dockerfile \\(docker has no ${REF}; sources ${HASH.slice(0, 12)}\\)`));
  assert.match(said, /^\[00:0\d\] #2 \[deps 1\/4\] FROM docker\.io\/library\/node:20\.20\.2-bookworm-slim$/m, 'the build\'s output, each line with the elapsed time');
  assert.match(said, new RegExp(`target image ${REF}: built in 00:0\\d \\(${HASH.slice(0, 12)}\\)`));
  assert.match(said, new RegExp(`target image ${REF}: loaded into 5 node\\(s\\) in 00:0\\d`));
  // the target's image is lab:up's own: not asked of a registry; the other four were
  assert.doesNotMatch(said, /^image perflab\/target-api/m);
  assert.equal(said.match(/^image .*: pullable from/gm)?.length, 4);

  const before = b.calls().length;
  const second = up(b, kindImageFor(b));
  await second.done;
  const again = b.calls().slice(before);
  assert.deepEqual(steps(again), ['cdktf deploy platform', 'cdktf deploy data', 'cdktf deploy observability', 'cdktf deploy target'], 'no build, no cluster, no load');
  assert.ok(again.includes(`docker exec perflab-worker crictl inspecti ${REF}`), 'each node asked, as kind load asks');
  const twice = second.lines.join('\n');
  assert.match(twice, new RegExp(`target image ${REF}: docker has it, built from these sources \\(${HASH.slice(0, 12)}\\): no build`));
  assert.match(twice, new RegExp(`target image ${REF} \\(${HASH.slice(0, 12)}\\) is on every node of kind cluster perflab: no load`));
  assert.match(twice, /kind cluster perflab exists: reusing it/);
});

test('stand-in docker and kind: an image built from other sources is rebuilt, and loaded only into the nodes that lack the new one', async () => {
  const b = bench();
  const old = { id: 'sha256:0ld', label: 'e'.repeat(64) };
  const clusters = { perflab: Object.fromEntries(NODES.map((n) => [n, { [REF]: old.id }])) };
  b.setState({ images: { [REF]: old }, clusters });
  const run = up(b, kindImageFor(b));
  await run.done;
  const built = b.state().images[REF]!;
  assert.equal(built.label, HASH);
  assert.match(run.lines.join('\n'), new RegExp(`building from target/Dockerfile \\(docker's ${REF} was built from other sources \\(eeeeeeeeeeee\\)`));
  assert.ok(steps(b.calls()).includes(`kind load docker-image ${REF} --name perflab --nodes ${NODES.join(',')}`));
  // one node lost it (a recreated node): only that one is loaded
  const state = b.state();
  delete state.clusters.perflab!['perflab-worker2']![REF];
  b.setState(state);
  const after = b.calls().length;
  await up(b, kindImageFor(b)).done;
  assert.deepEqual(steps(b.calls().slice(after)).filter((c) => !c.startsWith('cdktf')), [`kind load docker-image ${REF} --name perflab --nodes perflab-worker2`]);
});

test('stand-in docker: a failed build stops lab:up naming the step, before any cluster is created or stack deployed', async () => {
  const b = bench({ fail: { build: true } });
  const run = up(b, kindImageFor(b));
  await assert.rejects(run.done, (error: unknown) => {
    assert.ok(error instanceof PreflightFailed);
    assert.match(error.message, /^target image: docker build failed \(exit 1\) after 00:0\d:\n/);
    assert.match(error.message, /#9 ERROR: process "\/bin\/sh -c npm install --omit=dev" did not complete successfully: exit code: 1/);
    assert.match(error.message, /\nnothing was deployed\.$/);
    return true;
  });
  assert.deepEqual(steps(b.calls()), [`docker ${dockerBuildArgs(REF, HASH, NODE_IMAGE).join(' ')}`], 'no kind create, no load, no deploy');
});

test('stand-in kind: a failed load stops lab:up naming the step, before any stack is deployed', async () => {
  const b = bench({ fail: { load: true } });
  const run = up(b, kindImageFor(b));
  await assert.rejects(run.done, /^Error: target image: kind load docker-image failed \(exit 1\) after 00:0\d:\n {4}ERROR: failed to load image: .*\nnothing was deployed \(the kind cluster stays: lab:up again, or lab:down\)\.$/);
  assert.ok(!b.calls().some((c) => c.startsWith('cdktf')));
});

test('stand-in docker: cloud with --push builds, tags <target.registry>/<image>, pushes, then deploys; a refused push stops before deploying', async () => {
  const b = bench();
  const cloudFor = (home: string) => resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: 'registry.example.com:5000/perf' } }, paths: { baseDir: '/', home } });
  const config = cloudFor(b.env.HOME!);
  const ref = `registry.example.com:5000/perf/${REF}`;
  const run = up(b, config, { push: true });
  await run.done;
  assert.deepEqual(steps(b.calls()), [
    `docker ${dockerBuildArgs(ref, HASH, NODE_IMAGE).join(' ')}`,
    `docker push ${ref}`,
    'cdktf deploy platform', 'cdktf deploy data', 'cdktf deploy observability', 'cdktf deploy target',
  ]);
  assert.match(run.lines.join('\n'), new RegExp(`target image ${ref.replace(/[.]/g, '\\.')}: pushed in 00:0\\d`));
  const refused = bench({ fail: { push: true } });
  await assert.rejects(up(refused, cloudFor(refused.env.HOME!), { push: true }).done,
    /^Error: target image: docker push failed \(exit 1\) after 00:0\d:\n {4}denied: requested access to the resource is denied\nnothing was deployed\.$/);
  assert.ok(!refused.calls().some((c) => c.startsWith('cdktf')));
});

test('stand-in docker and kind: --push refused with the bundle (nothing to publish) and without target.registry; it needs docker, also on cloud', async () => {
  const b = bench();
  const bundle = resolveLabConfig({ profile: 'cloud' });
  await assert.rejects(up(b, bundle, { push: true }).done, /--push publishes the target's own image, and target\.delivery is "bundle", which needs none/);
  const noRegistry = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image' } } });
  await assert.rejects(up(b, noRegistry, { push: true }).done, /--push needs target\.registry: the registry your cluster pulls from \(e\.g\. ghcr\.io\/<you>; the image becomes <registry>\/perflab\/target-api:0\.1\.0\)/);
  assert.deepEqual(b.calls(), [], 'nothing run');
  const withRegistry = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: 'ghcr.io/acme' } } });
  const noDocker = { ...b, env: { ...b.env, PATH: b.env.PATH!.replace(/^[^:]+/, (dir) => { const only = join(dir, '..', 'bin-nodocker'); mkdirSync(only, { recursive: true }); for (const t of ['kind', 'kubectl', 'terraform']) writeFileSync(join(only, t), STAND_IN, { mode: 0o755 }); return only; }) } };
  await assert.rejects(up(noDocker, withRegistry, { push: true }).done, /preflight failed, nothing was changed:\n {2}- docker: not found on PATH/);
});

test('stand-in registry answers: cloud with delivery image and no --push: the image preflight names the image the cluster cannot pull and the command that publishes it; nothing is deployed', async () => {
  const b = bench();
  const config = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: 'ghcr.io/acme' } }, paths: { baseDir: '/', home: b.env.HOME! } });
  const ref = `ghcr.io/acme/${REF}`;
  const lines: string[] = [];
  const run = labUp(config, {
    log: (l) => lines.push(l), env: b.env, root: b.root, tty: false, runStacks: b.runStacks,
    imagePullCheck: async (r) => (r === ref ? { pullable: false, why: 'denied', detail: 'ghcr.io refuses an anonymous pull of acme/perflab/target-api (HTTP 401 with an anonymous token): the repository is private or does not exist' } : { pullable: true }),
  });
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof PreflightFailed);
    assert.match(error.message, /^preflight failed, nothing was changed: 1 image\(s\) the lab runs cannot be pulled\n/);
    assert.ok(error.message.includes(`  - image ${ref} (target.registry + target.image): the target service (delivery image) cannot be pulled: ghcr.io refuses an anonymous pull`), error.message);
    assert.ok(error.message.includes('fix: publish it: `npm run lab:up -- --push`'), error.message);
    assert.ok(error.message.includes(`docker build -f target/Dockerfile --build-arg NODE_IMAGE=${NODE_IMAGE} -t ${ref} . && docker push ${ref}`), error.message);
    return true;
  });
  assert.deepEqual(steps(b.calls()), []);
});

test('stand-in docker and kind: --dry-run with delivery image on kind: the docker build and kind load it would run, nothing run', async () => {
  const b = bench();
  const run = up(b, kindImageFor(b), { dryRun: true });
  await run.done;
  const said = run.lines.join('\n');
  assert.ok(said.includes(`would run: docker ${dockerBuildArgs(REF, HASH, NODE_IMAGE).join(' ')}   (docker has no ${REF})`), said);
  assert.ok(said.includes(`would run: kind load docker-image ${REF} --name perflab --nodes <every node>`), said);
  assert.deepEqual(steps(b.calls()), []);
});
