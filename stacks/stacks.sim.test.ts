// What the stacks deploy, against a real API server: the sim cluster (lab/sim: etcd, kube-apiserver,
// controller-manager and scheduler v1.36 with kwok nodes shaped like the sim profile's pools).
//
//   - every object the stacks create directly (synthesized, mapped by stacks/kubernetesObjects.ts:
//     namespaces, Secrets, the dashboards' ConfigMaps, the NetworkPolicy, the PrometheusRule),
//     applied server-side with strict field validation, and read back as the cluster stored them;
//     the PrometheusRule against prometheus-operator v0.93.1's CRD (kube-prometheus-stack 88.5.0's);
//   - a misspelt field refused by the same apply (the check is real), where a client-side apply with
//     validation lowered to a warning would store the object without it;
//   - charts/target-api installed by the real helm with the values the target stack gives it
//     (delivery bundle, the default), --wait: its pods scheduled on the app pool's node and Running,
//     no Pod Security warning, on the Node image with the chart's command, the bundle's ConfigMap
//     (stored by the first test, byte for byte) mounted at /app and its sha256 annotated; its
//     Service, HPA, PDB and ServiceMonitor; the Secrets its pods read are the stacks' own; an upgrade
//     keeps the replica count the HPA set (the chart's lookup, live);
//   - the ConfigMap size limit as the API server applies it: 1 MiB of data + binaryData (decoded)
//     stored, one byte more refused, where the bundle's guard draws the line too.
// kwok runs no container: that the bundle starts is stacks/targetBundle.test.ts's proof.
// The upstream charts (kube-prometheus-stack, k6-operator, CloudNativePG, the Redis operator) cannot
// be installed here: no chart registry is reachable.
//
// Wall time on 2 cores: ~25 s (the cluster ~10 s, the applies ~3 s, helm install --wait and upgrade ~8 s).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import YAML from 'yaml';
import { resolveLabConfig } from '../lab/config/index.ts';
import { POOL_LABEL } from '../lab/cluster/pools.ts';
import { TARGET_SECRETS, TARGET_SECRET_KEYS } from '../lab/cluster/names.ts';
import { HPA_HEADROOM } from '../lab/cluster/values/targetApi.ts';
import { ensureMonitoringCrds } from '../lab/setup/monitoringCrds.ts';
import { SERVICE_SLAS } from '../lab/sla/catalogue.ts';
import { CONFIGMAP_MAX_BYTES } from '../lab/scenarios/limits.ts';
import { assertBundleFits, buildTargetBundle, TARGET_BUNDLE_ANNOTATION, TargetBundleTooLarge } from '../lab/cluster/manifests/targetBundle.ts';
import { TARGET_NODE_FLAGS } from '../target/src/nodeFlags.ts';
import type { ConfigMapObject } from '../lab/cluster/manifests/types.ts';
import { PROJECT_ROOT } from '../lab/paths.ts';
import { readDashboards } from '../dashboards/files.ts';
import { describePods, eventually, installCrds, startLabSim, writeObjects, type LabSim } from '../test/sim/labSim.ts';
import { buildLab } from './app.ts';
import { SECRET_VARIABLES, STACK_NAMES } from './labStack.ts';
import { stackObjects, terraformString, type KubernetesObject } from './kubernetesObjects.ts';

const config = resolveLabConfig({ profile: 'sim' });
const stacks = buildLab(Testing.app(), config, readDashboards());
const synthesized = STACK_NAMES.map((stack) => ({ stack, json: JSON.parse(Testing.synth(stacks[stack])) as Record<string, any> }));
/** the generated secrets' stand-ins: any text will do, the test reads them back */
const VARIABLES = Object.fromEntries(Object.values(SECRET_VARIABLES).map((name) => [name, `sim-${name.replace(/_/g, '-')}`]));
const objects = stackObjects(synthesized, VARIABLES);

let sim: LabSim;

before(async () => {
  sim = await startLabSim(config, 'stacks-sim');
  const crds = ensureMonitoringCrds();
  await installCrds(sim, [crds.PrometheusRule, crds.ServiceMonitor]);
}, { timeout: 40 * 60_000 });

after(async () => {
  await sim?.stop();
});

const apply = (file: string, validate = 'strict') =>
  sim.kubectl(['apply', '--server-side', '--field-manager=perflab', `--validate=${validate}`, '-f', file]);
const getJson = (args: string[]) => JSON.parse(sim.must(['get', ...args, '-o', 'json', '--show-managed-fields'])) as Record<string, any>;

test('every object the stacks create applies server-side with strict field validation, namespaces first, and reads back as sent (real API server)', () => {
  const file = writeObjects(sim, 'stacks.yaml', objects);
  const out = apply(file);
  assert.equal(out.status, 0, out.stderr);
  // one line per object, in the file's order: namespaces first, the custom resource last
  const applied = out.stdout.trim().split('\n');
  assert.equal(applied.length, objects.length);
  assert.match(applied[0]!, /^namespace\/perflab-\w+ serverside-applied$/);
  assert.match(applied.at(-1)!, /^prometheusrule\.monitoring\.coreos\.com\/perflab-sla serverside-applied$/);
  assert.equal(out.stderr, '', 'no warnings (a deprecated or unknown field would warn)');

  const ns = config.namespaces;
  for (const namespace of Object.values(ns)) {
    const labels = getJson(['namespace', namespace]).metadata.labels;
    assert.ok(labels['pod-security.kubernetes.io/enforce'], `${namespace}: Pod Security level`);
    // the NetworkPolicy's namespaceSelector keys on this label, which the API server sets
    assert.equal(labels['kubernetes.io/metadata.name'], namespace);
  }
  // Secrets hold the variables' values, as the provider sends them
  const database = getJson(['-n', ns.app, 'secret', TARGET_SECRETS.database]);
  const url = Buffer.from(database.data[TARGET_SECRET_KEYS.databasePrimaryUrl], 'base64').toString();
  assert.match(url, new RegExp(`^postgres://app:${VARIABLES[SECRET_VARIABLES.postgresOwnerPassword]}@perflab-pg-rw\\.${ns.data}\\.svc:5432/app$`));
  // the dashboards reach the cluster byte for byte: Terraform's escapes of ${datasource} are undone
  for (const dashboard of readDashboards()) {
    const maps = getJson(['-n', ns.monitoring, 'configmaps', '-l', 'grafana_dashboard=1']).items as Array<{ data: Record<string, string> }>;
    const stored = maps.find((m) => m.data[dashboard.file])?.data[dashboard.file];
    assert.equal(stored, dashboard.json, dashboard.file);
  }
  // the target's bundle: its gzipped bytes in binaryData, the boot script in data, as built
  const bundle = buildTargetBundle();
  const bundleMap = getJson(['-n', ns.app, 'configmap', 'target-api-bundle']) as { data: Record<string, string>; binaryData: Record<string, string> };
  const sent = objects.find((o) => o.metadata.name === 'target-api-bundle') as unknown as { data: Record<string, string> };
  assert.equal(bundleMap.binaryData['main.mjs.gz'], bundle.gzipped.toString('base64'));
  assert.equal(bundleMap.data['boot.mjs'], sent.data['boot.mjs']);
  assert.ok(bundleMap.data['boot.mjs']!.includes('${actual}'), 'Terraform\'s $${ escapes undone');
  const policy = getJson(['-n', ns.data, 'networkpolicy', 'data-clients-only']);
  assert.deepEqual(policy.spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).sort(), Object.values(ns).sort());
  const rule = getJson(['-n', ns.monitoring, 'prometheusrule', 'perflab-sla']);
  assert.equal(rule.spec.groups[0].rules.length, SERVICE_SLAS.length);
  // server-side apply: the fields are ours (the manager the provider would be, here kubectl's)
  assert.ok(rule.metadata.managedFields.some((m: any) => m.manager === 'perflab' && m.operation === 'Apply'));
});

test('the check is real: a misspelt field is refused, in a built-in object and in the custom resource (a client-side apply would only warn and drop it)', () => {
  const policy = structuredClone(objects.find((o) => o.kind === 'NetworkPolicy')!) as KubernetesObject & { spec: Record<string, unknown> };
  policy.spec.podSelektor = {};
  const rule = structuredClone(objects.find((o) => o.kind === 'PrometheusRule')!) as KubernetesObject & { spec: { groups: Array<{ rules: Array<Record<string, unknown>> }> } };
  rule.spec.groups[0]!.rules[0]!.exprr = 'up == 0';
  const cases = [
    [policy, '.spec.podSelektor', (o: any) => o.spec.podSelektor],
    [rule, '.spec.groups[name="perflab-sla"].rules[0].exprr', (o: any) => o.spec.groups[0].rules[0].exprr],
  ] as const;
  for (const [object, field, read] of cases) {
    const file = writeObjects(sim, `bad-${object.kind}.yaml`, [object]);
    const refused = apply(file);
    assert.notEqual(refused.status, 0, `${object.kind} with ${field} must be refused`);
    // server-side apply checks the object against the type's schema (the CRD's, for the custom resource)
    assert.ok(refused.stderr.includes(`${field}: field not declared in schema`), refused.stderr);
    // what server-side apply saves us from: a client-side apply with validation lowered to a warning
    // goes through, and the field is dropped (a server dry run: nothing is stored)
    const lax = sim.kubectl(['apply', '--validate=warn', '--dry-run=server', '-f', file, '-o', 'json']);
    assert.equal(lax.status, 0, lax.stderr);
    assert.match(lax.stderr, /Warning: unknown field/);
    assert.equal(read(JSON.parse(lax.stdout)), undefined, `${field} dropped`);
  }
});

test('charts/target-api installs with helm --wait and the target stack\'s values: pods Running on the app pool\'s node, Service, HPA, PDB, ServiceMonitor (real API server, kwok pods)', async () => {
  const release = (synthesized.find((s) => s.stack === 'target')!.json.resource.helm_release as Record<string, any>)[config.target.releaseName];
  assert.ok(release, 'the target stack releases the chart');
  // the values exactly as the target stack hands them to the helm provider, read as Terraform reads them
  const valuesFile = join(sim.dir, 'target-values.yaml');
  writeFileSync(valuesFile, terraformString(release.values[0], VARIABLES));
  const values = YAML.parse(release.values[0]);
  const ns = config.namespaces.app;
  const name = config.target.releaseName;
  const install = sim.helm(['install', name, join(PROJECT_ROOT, config.target.chartPath), '-n', ns, '-f', valuesFile, '--wait', '--timeout', '120s']);
  assert.equal(install.status, 0, install.stderr);
  assert.doesNotMatch(install.stderr, /PodSecurity/, 'no Pod Security warning (the app namespace warns below restricted)');

  const pods = (await sim.core.listNamespacedPod({ namespace: ns, labelSelector: `app.kubernetes.io/instance=${name}` })).items;
  assert.equal(pods.length, values.autoscaling.minReplicas, describePods(pods));
  const bundle = buildTargetBundle();
  for (const pod of pods) {
    assert.equal(pod.status?.phase, 'Running', describePods([pod]));
    assert.equal(pod.spec?.nodeName, `${config.cluster.name}-${config.target.pool}`);
    // delivery bundle: the Node image runs the boot script of the ConfigMap mounted at /app
    const container = pod.spec!.containers[0]!;
    assert.equal(container.image, `${config.target.nodeImage.repository}:${config.target.nodeImage.tag}`);
    assert.deepEqual(container.command, ['node', ...TARGET_NODE_FLAGS, '/app/boot.mjs']);
    assert.equal(pod.metadata?.annotations?.[TARGET_BUNDLE_ANNOTATION], bundle.sha256);
    const mount = container.volumeMounts!.find((m) => m.mountPath === '/app')!;
    const volume = pod.spec!.volumes!.find((v) => v.name === mount.name)!;
    const mounted = getJson(['-n', ns, 'configmap', volume.configMap!.name!]);
    assert.deepEqual([...Object.keys(mounted.data), ...Object.keys(mounted.binaryData)], ['boot.mjs', 'main.mjs.gz'], 'the ConfigMap the pods mount exists, with both files');
    assert.equal(pod.spec?.nodeSelector?.[POOL_LABEL], config.target.pool);
    // the Secrets the pods read exist, with the keys they read: the data stack's own
    for (const env of pod.spec?.containers[0]?.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef;
      if (!ref?.name) continue;
      const secret = getJson(['-n', ns, 'secret', ref.name]);
      assert.ok(secret.data[ref.key], `${env.name}: secret ${ref.name} has key ${ref.key}`);
    }
  }
  const service = getJson(['-n', ns, 'service', name]);
  assert.match(service.spec.clusterIP, /^127\.96\./);
  assert.deepEqual(service.spec.ports.map((p: any) => [p.port, p.targetPort]), [[80, 'http']]);
  const hpa = getJson(['-n', ns, 'hpa', name]);
  assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas, hpa.spec.scaleTargetRef.name], [config.target.replicas, config.target.replicas * HPA_HEADROOM, name]);
  assert.equal(getJson(['-n', ns, 'pdb', name]).spec.minAvailable, 1);
  const monitor = getJson(['-n', ns, 'servicemonitor', name]);
  for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels[key], value, `the ServiceMonitor selects the Service (${key})`);
  assert.equal(monitor.spec.endpoints[0].port, service.spec.ports[0].name);

  // the HPA scales the Deployment (here: kubectl scale, as its controller would); an upgrade keeps that count
  sim.must(['-n', ns, 'scale', `deployment/${name}`, '--replicas=4']);
  const upgrade = sim.helm(['upgrade', name, join(PROJECT_ROOT, config.target.chartPath), '-n', ns, '-f', valuesFile, '--wait', '--timeout', '120s']);
  assert.equal(upgrade.status, 0, upgrade.stderr);
  assert.equal(getJson(['-n', ns, 'deployment', name]).spec.replicas, 4, 'the chart\'s lookup kept the live replica count');
  await eventually('4 target pods Running', async () => {
    const now = (await sim.core.listNamespacedPod({ namespace: ns, labelSelector: `app.kubernetes.io/instance=${name}` })).items;
    const running = now.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    return { value: running.length === 4 ? running : undefined, saw: describePods(now) };
  });
});

test('the ConfigMap size limit as the real API server applies it: 1 MiB of data and decoded binaryData is stored, one byte more refused; the bundle\'s guard draws the same line', () => {
  const ns = config.namespaces.app;
  const sized = (name: string, bytes: number): ConfigMapObject => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns },
    data: { 'boot.mjs': 'x'.repeat(1000) }, binaryData: { 'main.mjs.gz': Buffer.alloc(bytes - 1000, 7).toString('base64') },
  });
  const fits = sized('limit-exactly', CONFIGMAP_MAX_BYTES);
  const over = sized('limit-plus-one', CONFIGMAP_MAX_BYTES + 1);
  assert.doesNotThrow(() => assertBundleFits(fits));
  assert.throws(() => assertBundleFits(over), TargetBundleTooLarge);
  const stored = apply(writeObjects(sim, 'limit-exactly.yaml', [fits]));
  assert.equal(stored.status, 0, stored.stderr);
  const refused = apply(writeObjects(sim, 'limit-plus-one.yaml', [over]));
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /Too long: may not be more than 1048576 bytes|must have at most 1048576 bytes/, refused.stderr);
  console.log(`API server on ${CONFIGMAP_MAX_BYTES + 1} bytes: ${refused.stderr.trim()}`);
  sim.must(['-n', ns, 'delete', 'configmap', 'limit-exactly']);
});
