// Rendering tests of the target-api chart with the real helm binary: lint, template, and every
// rendered object validated against the Kubernetes schema (kubernetes-models); the ServiceMonitor
// (a CRD kubernetes-models does not know) is checked field by field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ensureHelm } from '../../lab/setup/helm.ts';
import { TARGET_API } from '../../lab/versions.ts';
import { TARGET_NODE_ARGS, TARGET_NODE_FLAGS } from '../../target/src/nodeFlags.ts';
import { buildTargetBundle, TARGET_BUNDLE_ANNOTATION, TARGET_BUNDLE_FILES, TARGET_BUNDLE_MOUNT } from '../../lab/cluster/manifests/targetBundle.ts';

const chartDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const labValues = `${chartDir}ci/lab-values.yaml`;
const helm = ensureHelm();

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: any };

function template(args: string[]): { status: number | null; objects: K8sObject[]; stderr: string } {
  const out = spawnSync(helm, ['template', 'perflab', chartDir, ...args], { encoding: 'utf8' });
  const objects = out.status === 0 ? parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean) : [];
  return { status: out.status, objects, stderr: out.stderr };
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

test('helm lint passes with the lab values', () => {
  const out = spawnSync(helm, ['lint', chartDir, '-f', labValues, '--strict'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stdout + out.stderr);
});

test('helm template: every object validates against the Kubernetes schema', () => {
  const { status, objects, stderr } = template(['-f', labValues]);
  assert.equal(status, 0, stderr);
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
  const models: Record<string, new (o: any) => { validate(): void }> = {
    Deployment,
    Service,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
  };
  for (const object of objects) {
    if (object.kind === 'ServiceMonitor') continue;
    assert.doesNotThrow(() => new models[object.kind]!(object).validate(), `${object.kind} ${object.metadata.name}`);
  }
  // And the validation is real: a broken Deployment is refused.
  const broken = structuredClone(byKind(objects, 'Deployment')[0]!);
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
  assert.throws(() => new Deployment(broken as any).validate(), /containerPort/);
});

test('Deployment: non-root, read-only root, probes on /api/v1/health, /tmp emptyDir, config from existing Secrets', () => {
  const { objects } = template(['-f', labValues]);
  const deployment = byKind(objects, 'Deployment')[0]!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  // the HPA's floor from the start: an HPA without metrics (no metrics-server) would leave it at 1 (issue 10 F13)
  assert.equal(deployment.spec.replicas, 2, 'autoscaling.minReplicas');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 10001);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) assert.equal(container[probe].httpGet.path, '/api/v1/health', probe);
  assert.ok(container.resources.limits.memory && container.resources.requests.cpu);
  const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
  assert.ok(pod.volumes.find((v: { name: string; emptyDir?: object }) => v.name === tmp.name && v.emptyDir));
  const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
  assert.deepEqual(env.DATABASE_PRIMARY_URL.valueFrom.secretKeyRef, { name: 'perflab-pg-app', key: 'uri' });
  assert.deepEqual(env.REDIS_PASSWORD.valueFrom.secretKeyRef, { name: 'perflab-redis-auth', key: 'password' });
  assert.equal(env.DATABASE_REPLICA_HOSTS.value, 'perflab-pg-ro:5432');
  assert.equal(env.REDIS_NODES.value, 'perflab-redis-leader-headless:6379');
  assert.equal(env.LOG_LEVEL.value, 'info');
  assert.ok(!container.env.some((e: { name: string; value?: string }) => /PASSWORD|URL/.test(e.name) && e.value?.includes('://')), 'no secret inline');
  assert.equal(container.image, `${TARGET_API.image}:${TARGET_API.version}`);
  assert.deepEqual(pod.nodeSelector, { 'perflab.dev/role': 'app' });
  assert.equal(pod.tolerations[0].key, 'perflab.dev/dedicated');
});

test('ServiceMonitor (monitoring.coreos.com/v1): selects the Service, scrapes /metrics on the named port; off by default', () => {
  const { objects } = template(['-f', labValues]);
  const monitor = byKind(objects, 'ServiceMonitor')[0]!;
  const service = byKind(objects, 'Service')[0]!;
  assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
  assert.equal(monitor.metadata.labels!.release, 'perflab-monitoring');
  assert.deepEqual(monitor.spec.selector.matchLabels, service.spec.selector);
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels![k], v);
  assert.equal(monitor.spec.endpoints[0].port, service.spec.ports[0].name);
  assert.equal(monitor.spec.endpoints[0].path, '/metrics');
  assert.match(monitor.spec.endpoints[0].interval, /^\d+(ms|s|m|h)$/);
  const off = template(['--set', 'database.existingSecret=s', '--set', 'redis.nodes=r:6379']);
  assert.equal(off.status, 0, off.stderr);
  assert.equal(byKind(off.objects, 'ServiceMonitor').length, 0);
});

test('autoscaling and the PDB are toggles; without the HPA the Deployment has replicaCount', () => {
  const { objects, status, stderr } = template(['-f', labValues, '--set', 'autoscaling.enabled=false', '--set', 'replicaCount=3', '--set', 'podDisruptionBudget.enabled=false']);
  assert.equal(status, 0, stderr);
  assert.equal(byKind(objects, 'HorizontalPodAutoscaler').length, 0);
  assert.equal(byKind(objects, 'PodDisruptionBudget').length, 0);
  assert.equal(byKind(objects, 'Deployment')[0]!.spec.replicas, 3);
  const floor = template(['-f', labValues, '--set', 'autoscaling.minReplicas=4', '--set', 'autoscaling.maxReplicas=12', '--set', 'replicaCount=1']);
  assert.equal(byKind(floor.objects, 'Deployment')[0]!.spec.replicas, 4, 'with the HPA: its floor, not replicaCount');
  const hpa = byKind(template(['-f', labValues]).objects, 'HorizontalPodAutoscaler')[0]!;
  assert.equal(hpa.spec.scaleTargetRef.name, byKind(objects, 'Deployment')[0]!.metadata.name);
});

test('missing Secrets or bad values fail with a message naming the field', () => {
  const noSecret = template(['--set', 'redis.nodes=r:6379']);
  assert.notEqual(noSecret.status, 0);
  assert.match(noSecret.stderr, /database\.existingSecret is required/);
  const noRedis = template(['--set', 'database.existingSecret=s']);
  assert.match(noRedis.stderr, /redis\.nodes is required/);
  const badType = template(['-f', labValues, '--set', 'autoscaling.maxReplicas=many']);
  assert.notEqual(badType.status, 0);
  assert.match(badType.stderr, /maxReplicas/);
});

test('one version: chart appVersion and the Dockerfile base image come from lab/versions.ts', () => {
  const chart = readFileSync(`${chartDir}Chart.yaml`, 'utf8');
  assert.match(chart, new RegExp(`^appVersion: "${TARGET_API.version}"$`, 'm'));
  const dockerfile = readFileSync(`${repoRoot}target/Dockerfile`, 'utf8');
  assert.match(dockerfile, new RegExp(`^ARG NODE_IMAGE=${TARGET_API.nodeImage}$`, 'm'));
  assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
  assert.match(dockerfile, /^USER 10001:10001$/m, 'the same non-root uid as the chart');
  assert.ok(dockerfile.includes(`ENTRYPOINT ${JSON.stringify(['node', ...TARGET_NODE_ARGS]).replaceAll(',', ', ')}`), 'ENTRYPOINT runs main.ts with TARGET_NODE_FLAGS');
  // the image copies target/src, and the service imports nothing else of the repository (esbuild's inputs)
  assert.match(dockerfile, /^COPY target\/src \.\/target\/src$/m);
  assert.deepEqual(buildTargetBundle().sources.filter((f) => !f.startsWith('target/src/')), [], 'sources outside target/src, which the image does not copy');
  const ignore = readFileSync(`${repoRoot}target/Dockerfile.dockerignore`, 'utf8');
  for (const [, from] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
    assert.ok(ignore.includes(`!${from}`), `the build context sends ${from} (Dockerfile.dockerignore)`);
  }
  const pkg = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { dependencies: Record<string, string> };
  const kept = /keep=\[([^\]]+)\]/.exec(dockerfile)![1]!.split(',').map((s) => s.replaceAll("'", '').trim());
  for (const name of kept) assert.ok(pkg.dependencies[name], `${name} is a pinned dependency`);
  // Every package the service imports at run time is in the image (type-only imports are erased).
  const sources = readdirSync(`${repoRoot}target/src`, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of sources) {
    const text = readFileSync(`${repoRoot}target/src/${file}`, 'utf8');
    for (const [, name] of text.matchAll(/^import (?!type )[^;]*?from '([^.'][^']*)'/gms)) {
      if (name!.startsWith('node:')) continue;
      const pkgName = name!.startsWith('@') ? name!.split('/').slice(0, 2).join('/') : name!.split('/')[0]!;
      assert.ok(kept.includes(pkgName), `${file} imports ${pkgName}, which the image does not install`);
    }
  }
});

const SHA = 'a'.repeat(64);
const bundleValues = ['-f', labValues, '--set', 'delivery=bundle', '--set', 'bundle.configMap=perflab-bundle', '--set', `bundle.sha256=${SHA}`,
  '--set', `image.repository=${TARGET_API.nodeImage.split(':')[0]}`, '--set', `image.tag=${TARGET_API.nodeImage.split(':')[1]}`];

test('delivery bundle: the stock Node image runs node <TARGET_NODE_FLAGS> /app/boot.mjs from the ConfigMap mounted read-only at /app; the bundle\'s sha256 is a pod annotation', () => {
  const lint = spawnSync(helm, ['lint', chartDir, '--strict', ...bundleValues], { encoding: 'utf8' });
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  const { status, objects, stderr } = template([...bundleValues, '--set', 'podAnnotations.team=perf']);
  assert.equal(status, 0, stderr);
  const deployment = byKind(objects, 'Deployment')[0]!;
  assert.doesNotThrow(() => new Deployment(deployment as any).validate());
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.equal(container.image, TARGET_API.nodeImage);
  assert.deepEqual(container.command, ['node', ...TARGET_NODE_FLAGS, `${TARGET_BUNDLE_MOUNT}/${TARGET_BUNDLE_FILES.boot}`]);
  assert.deepEqual(deployment.spec.template.metadata.annotations, { team: 'perf', [TARGET_BUNDLE_ANNOTATION]: SHA });
  const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === TARGET_BUNDLE_MOUNT);
  assert.equal(mount.readOnly, true);
  assert.deepEqual(pod.volumes.find((v: { name: string }) => v.name === mount.name).configMap, { name: 'perflab-bundle' });
  // the same hardening as the image: read-only root (the bundle unpacks into the /tmp emptyDir), non-root
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/tmp'));
  assert.equal(pod.securityContext.runAsUser, 10001);
  // the chart's default flags are the service's
  const values = parseAllDocuments(readFileSync(`${chartDir}values.yaml`, 'utf8'))[0]!.toJS() as { delivery: string; bundle: { nodeFlags: string[] } };
  assert.deepEqual(values.bundle.nodeFlags, [...TARGET_NODE_FLAGS]);
  assert.equal(values.delivery, 'image', 'the chart alone keeps its image; the lab chooses bundle');
  // image mode: no command (the image's ENTRYPOINT), no bundle volume, no annotation
  const image = byKind(template(['-f', labValues]).objects, 'Deployment')[0]!;
  assert.equal(image.spec.template.spec.containers[0].command, undefined);
  assert.equal(image.spec.template.spec.volumes.length, 1);
  assert.equal(image.spec.template.metadata.annotations, undefined);
});

test('delivery bundle without its ConfigMap, sha256 or Node image tag fails naming the field', () => {
  const without = (drop: string) => template(bundleValues.filter((v, i, all) => !(v.startsWith(drop) || all[i + 1]?.startsWith(drop))));
  assert.match(without('bundle.configMap=').stderr, /bundle\.configMap is required with delivery bundle/);
  assert.match(without('bundle.sha256=').stderr, /bundle\.sha256 is required with delivery bundle/);
  assert.match(without('image.tag=').stderr, /image\.tag is required with delivery bundle/);
  assert.match(template([...bundleValues, '--set', 'delivery=docker']).stderr, /delivery/);
  assert.match(template([...bundleValues, '--set', 'bundle.sha256=abc']).stderr, /sha256/);
});
