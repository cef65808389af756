// Delivery bundle, for real: the bundle's ConfigMap exactly as the target stack synthesizes it
// (cdktf Testing, mapped to the object the provider sends by stacks/kubernetesObjects.ts), its
// files written to a folder as the kubelet mounts a ConfigMap volume, and the chart's own command
// (`helm template` of charts/target-api with the values the stack hands the helm provider) run by
// this machine's node — the Node of the pinned image — with the chart's environment, on the local
// lab's data tier (Postgres primary + 2 streaming replicas, the 6-node Redis cluster). Migrations
// and the seed run on start, as the chart asks; then /api/v1/health must say healthy and the
// career-selection journey must answer.
//
// What stays a stand-in: the cluster's addresses and Secrets become the local data tier's, the
// port and listen address are loopback's (the chart's 8080 on 0.0.0.0 would leave loopback), and
// the container's uid and read-only root are not reproduced (the boot script writes only to the
// temporary folder, here TMPDIR, in the pod the /tmp emptyDir).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { resolveLabConfig } from '../lab/config/index.ts';
import { readDashboards } from '../dashboards/files.ts';
import { ensureHelm } from '../lab/setup/helm.ts';
import { startDataTier, type DataTier } from '../lab/local/dataTier.ts';
import { Supervisor } from '../lab/process/supervisor.ts';
import { freePort } from '../lab/local/ports.ts';
import { writeConfigMapVolume } from '../lab/cluster/manifests/configMapVolume.ts';
import { TARGET_BUNDLE_FILES, TARGET_BUNDLE_MOUNT } from '../lab/cluster/manifests/targetBundle.ts';
import { TARGET_SECRET_KEYS } from '../lab/cluster/names.ts';
import { PROJECT_ROOT } from '../lab/paths.ts';
import { TARGET_API } from '../target/src/version.ts';
import { buildLab } from './app.ts';
import { SECRET_VARIABLES } from './labStack.ts';
import { stackObjects, terraformString, type KubernetesObject } from './kubernetesObjects.ts';

const config = resolveLabConfig();
const stacks = buildLab(Testing.app(), config, readDashboards());
const targetJson = JSON.parse(Testing.synth(stacks.target)) as Record<string, any>;
const VARIABLES = Object.fromEntries(Object.values(SECRET_VARIABLES).map((name) => [name, `test-${name}`]));
const bundleMap = stackObjects([{ stack: 'target', json: targetJson }], VARIABLES).find((o) => o.kind === 'ConfigMap') as KubernetesObject & { data: Record<string, string>; binaryData: Record<string, string> };
const imageNode = `v${TARGET_API.nodeImage.split(':')[1]!.split('-')[0]}`;

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface Container { image: string; command: string[]; env: EnvVar[] }

/** The chart's container, rendered by helm from the values the target stack hands the provider. */
function chartContainer(dir: string): Container {
  const release = Object.values(targetJson.resource.helm_release as Record<string, any>)[0];
  const values = join(dir, 'values.yaml');
  writeFileSync(values, terraformString(release.values[0], VARIABLES));
  const out = spawnSync(ensureHelm(), ['template', config.target.releaseName, join(PROJECT_ROOT, config.target.chartPath), '-n', config.namespaces.app, '-f', values], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const deployment = parseAllDocuments(out.stdout).map((d) => d.toJS()).find((o) => o?.kind === 'Deployment');
  return deployment.spec.template.spec.containers[0] as Container;
}

let dir: string;
let supervisor: Supervisor;
let tier: DataTier;
let service: ChildProcess | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflab-bundle-run-'));
  supervisor = new Supervisor(join(dir, 'lab'));
  tier = await startDataTier({ stateDir: join(dir, 'lab'), supervisor });
}, { timeout: 180_000 });

after(async () => {
  if (service && service.exitCode === null) service.kill('SIGKILL');
  await supervisor?.stopAll();
  if (tier && !tier.postgres.rootDir.startsWith(dir)) rmSync(tier.postgres.rootDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test(`the target stack's bundle ConfigMap, mounted as the kubelet mounts it, runs under the chart's command on node ${process.version} (the image's: ${imageNode}) against the local data tier: healthy, and the career-selection journey answers`, { timeout: 180_000 }, async () => {
  const container = chartContainer(dir);
  assert.equal(container.image, TARGET_API.nodeImage);
  const [node, ...args] = container.command;
  assert.equal(node, 'node');
  assert.equal(args.at(-1), `${TARGET_BUNDLE_MOUNT}/${TARGET_BUNDLE_FILES.boot}`);

  // the ConfigMap's files where the pod has them: /app becomes a folder of this test
  const mount = join(dir, 'app');
  mkdirSync(mount);
  assert.deepEqual(writeConfigMapVolume(mount, bundleMap).sort(), ['boot.mjs', 'main.mjs.gz']);
  const podTmp = join(dir, 'pod-tmp');
  mkdirSync(podTmp);

  // the chart's environment; what names the cluster becomes the local data tier
  const port = await freePort();
  const replicaHosts = tier.postgres.replicaUrls.map((u) => new URL(u).host).join(',');
  const secretValue: Record<string, string> = {
    [TARGET_SECRET_KEYS.databasePrimaryUrl]: tier.postgres.primaryUrl,
    [TARGET_SECRET_KEYS.redisPassword]: tier.redis.password,
  };
  const local: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1', DATABASE_REPLICA_HOSTS: replicaHosts, REDIS_NODES: tier.redis.nodes.join(',') };
  const env: Record<string, string> = { PATH: process.env.PATH!, TMPDIR: podTmp };
  for (const variable of container.env) {
    const ref = variable.valueFrom?.secretKeyRef;
    const value = local[variable.name] ?? (ref ? secretValue[ref.key] : variable.value);
    assert.ok(value !== undefined, `no local value for the chart's ${variable.name}`);
    env[variable.name] = value;
  }
  assert.equal(env.MIGRATE_ON_START, 'true');
  assert.equal(env.SEED_ON_START, 'true');

  const started = Date.now();
  const output: string[] = [];
  service = spawn(node, [...args.slice(0, -1), join(mount, TARGET_BUNDLE_FILES.boot)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  service.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
  service.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  let health: { status?: string } = {};
  let listening = 0;
  while (Date.now() - started < 120_000 && service.exitCode === null) {
    try {
      const res = await fetch(`${url}/api/v1/health`);
      listening ||= Date.now() - started;
      health = await res.json() as { status?: string };
      if (health.status === 'healthy') break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(health.status, 'healthy', `health ${JSON.stringify(health)}; exit ${service.exitCode}; output:\n${output.join('')}`);
  console.log(`bundle on node ${process.version}: listening ${listening} ms after the start (migrations and the seed included), healthy at ${Date.now() - started} ms`);
  // unpacked into the pod's temporary folder, nowhere else
  assert.deepEqual(readdirSync(join(podTmp, 'perflab-target')), [`main-${bundleMap.metadata.annotations!['perflab.dev/bundle-sha256']!.slice(0, 12)}.mjs`]);

  // the career-selection journey (guidelines §2.1): pool (replicas, cache), select (primary), content (CPU, cache)
  const student = `student_bundle_${Date.now()}`;
  const pool = await fetch(`${url}/api/v1/students/${student}/careers/pool`);
  assert.equal(pool.status, 200);
  assert.equal(pool.headers.get('x-cache'), 'MISS');
  const { careers } = await pool.json() as { careers: Array<{ id: string }> };
  assert.equal(careers.length, 4);
  const select = await fetch(`${url}/api/v1/students/${student}/careers/select`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ careerId: careers[0]!.id }),
  });
  assert.equal(select.status, 200, await select.clone().text());
  const { sessionId } = await select.json() as { sessionId: string };
  const content = await fetch(`${url}/api/v1/sessions/${sessionId}/content`);
  assert.equal(content.status, 200);
  assert.equal((await content.json() as { careerId: string }).careerId, careers[0]!.id);
  const status = await (await fetch(`${url}/api/v1/status`)).json() as { version: string };
  assert.equal(status.version, TARGET_API.version);

  // SIGTERM, as the kubelet stops a pod: drains and exits 0
  const exited = new Promise<number | null>((resolve) => service!.once('exit', (code) => resolve(code)));
  service.kill('SIGTERM');
  assert.equal(await exited, 0, output.join(''));

  // a second pod (a rollout, a restart): schema and data are there, the start is the bundle's own
  const again = Date.now();
  service = spawn(node, [...args.slice(0, -1), join(mount, TARGET_BUNDLE_FILES.boot)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let second = '';
  while (Date.now() - again < 60_000 && service.exitCode === null && second !== 'healthy') {
    second = await fetch(`${url}/api/v1/health`).then(async (r) => ((await r.json()) as { status: string }).status, () => '');
    if (second !== 'healthy') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(second, 'healthy');
  console.log(`bundle on node ${process.version}, schema and data in place: healthy ${Date.now() - again} ms after the start`);
  const stopped = new Promise<number | null>((resolve) => service!.once('exit', (code) => resolve(code)));
  service.kill('SIGTERM');
  assert.equal(await stopped, 0);
});
