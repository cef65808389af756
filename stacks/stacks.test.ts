// Synthesis tests of the four stacks: what they deploy, in which order, with which values, and
// that every Kubernetes object they emit directly passes the Kubernetes schema.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing } from 'cdktf';
import { parse } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { resolveLabConfig } from '../lab/config/index.ts';
import { SERVICE_SLAS } from '../lab/sla/catalogue.ts';
import { CHART_KEYS, checkChartValues, monitoringObjectsOf, MONITORING_OBJECTS } from '../lab/cluster/values/chartKeys.ts';
import { POOL_LABEL } from '../lab/cluster/pools.ts';
import { kindConfig, poolsIn } from '../lab/cluster/kindConfig.ts';
import { readDashboards } from '../dashboards/files.ts';
import { buildLab } from './app.ts';
import { STACK_NAMES, SECRET_VARIABLES, providerPath } from './labStack.ts';
import { escapeTemplateSyntax, terraformLiteral } from './terraformLiteral.ts';
import { stackObjects } from './kubernetesObjects.ts';
import { ObservabilityStack } from './observability.ts';
import { buildTargetBundle, targetBundleConfigMap } from '../lab/cluster/manifests/targetBundle.ts';
import { TARGET_NODE_FLAGS } from '../target/src/nodeFlags.ts';
import { targetImageSourceHash } from '../lab/cluster/targetImage.ts';

const ROOT = new URL('..', import.meta.url).pathname;
type Json = Record<string, any>;

function synthAll(overrides?: unknown, paths?: { baseDir: string; home?: string }) {
  const config = resolveLabConfig({ overrides, paths });
  const app = Testing.app();
  const stacks = buildLab(app, config, readDashboards());
  const json = Object.fromEntries(STACK_NAMES.map((n) => [n, Testing.synth(stacks[n])])) as Record<(typeof STACK_NAMES)[number], string>;
  return { config, json, parsed: (n: (typeof STACK_NAMES)[number]) => JSON.parse(json[n]) as Json };
}

const lab = synthAll();
const resources = (stack: (typeof STACK_NAMES)[number], type: string): Json[] =>
  Object.values((lab.parsed(stack).resource?.[type] ?? {}) as Record<string, Json>);
const release = (stack: (typeof STACK_NAMES)[number], chart: string): Json => {
  const found = resources(stack, 'helm_release').find((r) => r.chart === chart || String(r.chart).endsWith(`/${chart}`));
  assert.ok(found, `no helm_release of chart ${chart} in ${stack}`);
  return found;
};
const valuesOf = (r: Json): Json => {
  assert.equal(r.values.length, 1, 'one values document per release');
  return parse(r.values[0]) as Json;
};

test('platform: the operators and kube-prometheus-stack at their pinned versions', () => {
  const c = lab.config.charts;
  for (const pin of [c.kubePrometheusStack, c.k6Operator, c.cnpgOperator, c.redisOperator]) {
    assert.ok(
      Testing.toHaveResourceWithProperties(lab.json.platform, 'helm_release', { chart: pin.chart, version: pin.version, repository: pin.repository }),
      `${pin.chart} ${pin.version}`,
    );
  }
  assert.equal(release('platform', 'k6-operator').version, '4.6.0');
  assert.equal(release('platform', 'cloudnative-pg').version, '0.29.0');
  // the newest OT charts in the published index (0.25.0 of the operator chart was never published there)
  assert.equal(release('platform', 'redis-operator').version, '0.24.0');
  assert.equal(release('data', 'redis-cluster').version, '0.17.4');
});

test('platform: remote-write receiver on, native histograms, selectors open, kind-incompatible targets off', () => {
  const v = valuesOf(release('platform', 'kube-prometheus-stack'));
  const spec = v.prometheus.prometheusSpec;
  assert.equal(spec.enableRemoteWriteReceiver, true);
  assert.deepEqual(spec.enableFeatures, ['native-histograms']);
  for (const kind of ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig']) {
    assert.equal(spec[`${kind}SelectorNilUsesHelmValues`], false, kind);
  }
  for (const target of ['kubeEtcd', 'kubeControllerManager', 'kubeScheduler', 'kubeProxy']) assert.equal(v[target].enabled, false, target);
  assert.equal(v.grafana.admin.existingSecret, 'grafana-admin');
  assert.equal(v.grafana.sidecar.dashboards.label, 'grafana_dashboard');
  assert.equal(v.grafana.sidecar.dashboards.labelValue, '1');
  assert.deepEqual(v.alertmanager.config.route.routes.at(-1).matchers, ['source="perflab-sla"']);
});

test('platform: five namespaces with Pod Security labels; the Grafana password is a sensitive variable, never a literal', () => {
  const namespaces = resources('platform', 'kubernetes_namespace_v1');
  assert.deepEqual(namespaces.map((n) => n.metadata.name).sort(), Object.values(lab.config.namespaces).sort());
  for (const ns of namespaces) assert.match(ns.metadata.labels['pod-security.kubernetes.io/enforce'], /^(privileged|baseline|restricted)$/);
  const [secret] = resources('platform', 'kubernetes_secret_v1');
  assert.equal(secret!.data['admin-password'], `\${var.${SECRET_VARIABLES.grafanaAdminPassword}}`);
  const variable = lab.parsed('platform').variable[SECRET_VARIABLES.grafanaAdminPassword];
  assert.equal(variable.sensitive, true);
  assert.equal(variable.default, undefined);
});

test('data: Postgres 1 primary + 2 standbys with PodMonitor; Redis 3 shards x 1 replica with exporter and ServiceMonitor', () => {
  const pgRelease = release('data', 'cluster');
  assert.equal(pgRelease.version, lab.config.charts.cnpgCluster.version);
  const pg = valuesOf(pgRelease);
  assert.equal(pg.cluster.instances, 3);
  assert.equal(pg.version.postgresql, lab.config.images.postgres.major);
  assert.equal(pg.cluster.monitoring.podMonitor.enabled, true);
  assert.equal(pg.cluster.affinity.nodeSelector[POOL_LABEL], 'data');
  const redis = valuesOf(release('data', 'redis-cluster'));
  assert.equal(redis.redisCluster.clusterSize, 3);
  assert.equal(redis.redisCluster.leader.replicas, 3);
  assert.equal(redis.redisCluster.follower.replicas, 3);
  assert.equal(redis.redisExporter.enabled, true);
  assert.equal(redis.serviceMonitor.enabled, true);
  assert.equal(redis.redisExporter.tag, lab.config.images.redisExporter.tag);
});

test('data: credentials come from sensitive variables; NetworkPolicy admits only app, load, monitoring (+ data, operators)', () => {
  const secrets = resources('data', 'kubernetes_secret_v1');
  assert.equal(secrets.length, 4);
  for (const s of secrets) {
    const data = s.data as Record<string, string>;
    const secretKeys = Object.keys(data).filter((k) => /password|URL/i.test(k));
    assert.ok(secretKeys.length > 0, s.metadata.name);
    for (const key of secretKeys) assert.match(data[key]!, /\$\{var\.(postgres_owner_password|redis_password)\}/, `${s.metadata.name}.${key}`);
  }
  const vars = lab.parsed('data').variable;
  assert.equal(vars[SECRET_VARIABLES.postgresOwnerPassword].sensitive, true);
  assert.equal(vars[SECRET_VARIABLES.redisPassword].sensitive, true);
  const [policy] = resources('data', 'kubernetes_network_policy_v1');
  const allowed = policy!.spec.ingress[0].from.map((f: Json) => f.namespace_selector.match_labels['kubernetes.io/metadata.name']);
  const ns = lab.config.namespaces;
  assert.deepEqual(allowed, [ns.app, ns.load, ns.monitoring, ns.data, ns.operators]);
  assert.deepEqual(policy!.spec.pod_selector, {});
});

test('observability: dashboards as labelled ConfigMaps, one SLA alert per service SLA in a PrometheusRule', () => {
  const cms = resources('observability', 'kubernetes_config_map_v1');
  assert.equal(cms.length, readDashboards().length);
  for (const cm of cms) assert.equal(cm.metadata.labels.grafana_dashboard, '1');
  const [rule] = resources('observability', 'kubernetes_manifest');
  assert.equal(rule!.manifest.kind, 'PrometheusRule');
  assert.equal(rule!.manifest.spec.groups[0].rules.length, SERVICE_SLAS.length);
});

test('target: the chart and image the config names, its secrets by name, on the app pool', () => {
  const custom = synthAll({ target: { delivery: 'image', chartPath: 'charts/other', image: { repository: 'example/api', tag: '9.9.9' }, replicas: 4 } });
  const [r] = Object.values(JSON.parse(custom.json.target).resource.helm_release) as Json[];
  assert.equal(r!.chart, '../../../charts/other');
  const v = valuesOf(r!);
  assert.deepEqual(v.image, { repository: 'example/api', tag: '9.9.9' });
  assert.equal(v.replicaCount, 4);
  assert.deepEqual(v.autoscaling, { minReplicas: 4, maxReplicas: 12 }, 'the HPA floor is the configured replicas');
  assert.deepEqual(v.database, {
    existingSecret: 'target-database', primaryUrlKey: 'DATABASE_PRIMARY_URL', replicaHosts: 'perflab-pg-ro.perflab-data.svc:5432',
  });
  assert.deepEqual(v.redis, { nodes: v.redis.nodes, existingSecret: 'target-redis', passwordKey: 'REDIS_PASSWORD' });
  assert.match(v.redis.nodes, /perflab-redis-leader\.perflab-data\.svc:6379/);
  assert.equal(v.nodeSelector[POOL_LABEL], 'app');
  assert.equal(v.delivery, 'image');
  // the image's tag stays while the code changes: the sources' hash rolls the pods
  assert.deepEqual(v.podAnnotations, { 'perflab.dev/source-hash': targetImageSourceHash(ROOT.replace(/\/$/, ''), lab.config.target.nodeImage.repository + ':' + lab.config.target.nodeImage.tag) });
  assert.equal(resources('target', 'kubernetes_config_map_v1').length, 1, 'the default lab: the bundle\'s ConfigMap');
  assert.equal(JSON.parse(custom.json.target).resource.kubernetes_config_map_v1, undefined, 'delivery image: no bundle');
});

test('target, delivery bundle (the default): the bundle\'s ConfigMap before the release, base64 handed on untouched, the boot script escaped for Terraform; the release runs it on the Node image', () => {
  const bundle = buildTargetBundle();
  const [cm] = resources('target', 'kubernetes_config_map_v1');
  assert.equal(cm!.metadata.name, 'target-api-bundle');
  assert.equal(cm!.metadata.namespace, lab.config.namespaces.app);
  // binaryData: the gzipped bundle's base64 exactly (terraformLiteral leaves base64 alone: no "$" or "%" in its alphabet)
  assert.equal(cm!.binary_data['main.mjs.gz'], bundle.gzipped.toString('base64'));
  // data: the boot script's template literals written $${...}, which Terraform reads back as ${...}
  const boot = cm!.data['boot.mjs'] as string;
  assert.ok(boot.includes('$${actual}') && !/[^$]\$\{actual\}/.test(boot), 'escaped');
  const [mapped] = stackObjects([{ stack: 'target', json: lab.parsed('target') }], TEST_VARIABLES).filter((o) => o.kind === 'ConfigMap');
  assert.deepEqual(mapped, targetBundleConfigMap(lab.config, bundle), 'the object the provider sends is the one built');
  const r = release('target', 'target-api');
  assert.deepEqual(r.depends_on, ['kubernetes_config_map_v1.configmap-target-api-bundle']);
  const v = valuesOf(r);
  assert.equal(v.delivery, 'bundle');
  assert.deepEqual(v.image, lab.config.target.nodeImage);
  assert.deepEqual(v.bundle, { configMap: 'target-api-bundle', sha256: bundle.sha256, nodeFlags: [...TARGET_NODE_FLAGS] });
  // a second synth (a second lab:up) writes the same bytes
  assert.equal(synthAll().json.target, lab.json.target);
});

test('every Helm values document parses as YAML and sets only keys its chart reads, and all it needs', () => {
  const releases = STACK_NAMES.flatMap((s) => resources(s, 'helm_release'));
  assert.equal(releases.length, 7);
  for (const r of releases) {
    const chart = String(r.chart).split('/').pop()!;
    const { unknown, missing } = checkChartValues(chart, valuesOf(r));
    assert.deepEqual(unknown, [], `${chart}: keys the chart does not read`);
    assert.deepEqual(missing, [], `${chart}: required keys missing`);
  }
  // and the check does catch a typo
  assert.deepEqual(checkChartValues('k6-operator', { installCRDs: true, namespace: { create: false }, nodeSelektor: {} }).unknown, ['nodeSelektor']);
});

/** Any text for each sensitive variable: the objects' shape does not depend on the secrets. */
const TEST_VARIABLES = Object.fromEntries(Object.values(SECRET_VARIABLES).map((name) => [name, `test-${name}`]));
const labObjects = () => stackObjects(STACK_NAMES.map((stack) => ({ stack, json: lab.parsed(stack) })), TEST_VARIABLES);

test('every Kubernetes object the stacks emit directly passes the Kubernetes schema (kubernetes-models)', () => {
  const models: Record<string, new (o: any) => { validate(): void }> = { Namespace, Secret, ConfigMap, NetworkPolicy };
  const objects = labObjects();
  for (const object of objects) {
    if (object.apiVersion === 'monitoring.coreos.com/v1') {
      // a CRD's object: kubernetes-models does not know it (the sim test applies it against the CRD)
      assert.equal(object.kind, 'PrometheusRule');
      assert.match(object.metadata.name, /^[a-z0-9-]+$/);
      continue;
    }
    assert.ok(models[object.kind], `a model for ${object.kind}`);
    assert.doesNotThrow(() => new models[object.kind]!(object).validate(), `${object.kind} ${object.metadata.name}`);
  }
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  // ConfigMaps: the dashboards and the target's bundle
  assert.deepEqual(counts, { Namespace: 5, Secret: 5, NetworkPolicy: 1, ConfigMap: readDashboards().length + 1, PrometheusRule: 1 });
  // in an order they apply in: namespaces first, the custom resource last
  assert.deepEqual(objects.slice(0, 5).map((o) => o.kind), Array(5).fill('Namespace'));
  assert.equal(objects.at(-1)!.kind, 'PrometheusRule');
  // and the schema check is real: a bad label value is refused
  assert.throws(() => new Namespace({ metadata: { name: 'Bad_Name', labels: { a: 5 as unknown as string } } }).validate());
});

test('every node pool a stack schedules onto exists in the kind config', () => {
  const kindPools = poolsIn(kindConfig());
  const used = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, inner] of Object.entries(v)) {
      if (k === POOL_LABEL && typeof inner === 'string') used.add(inner);
      walk(inner);
    }
  };
  for (const r of STACK_NAMES.flatMap((s) => resources(s, 'helm_release'))) walk(valuesOf(r));
  used.add(lab.config.k6Operator.runnerPool);
  assert.deepEqual([...used].sort(), ['app', 'data', 'load', 'monitoring']);
  for (const pool of used) assert.ok(kindPools.includes(pool), `pool ${pool} is not on any kind node`);
});

test('cdktf synth: four stacks, dependency order in the manifest, own relative state, no absolute paths', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-'));
  const app = new App({ outdir });
  buildLab(app, resolveLabConfig(), readDashboards());
  app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
  assert.deepEqual(Object.keys(manifest.stacks).sort(), [...STACK_NAMES].sort());
  assert.deepEqual(manifest.stacks.platform!.dependencies, []);
  assert.deepEqual(manifest.stacks.data!.dependencies, ['platform']);
  assert.deepEqual(manifest.stacks.observability!.dependencies, ['platform']);
  assert.deepEqual([...manifest.stacks.target!.dependencies].sort(), ['data', 'observability']);
  for (const name of STACK_NAMES) {
    const text = readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
    assert.equal(JSON.parse(text).terraform.backend.local.path, `../../../.lab/state/${name}.tfstate`);
    for (const machinePath of [ROOT, tmpdir(), '/root/', '/home/']) assert.ok(!text.includes(machinePath), `${name} contains ${machinePath}`);
  }
});

test('stacks/main.ts: a bad config is refused with the field named, and nothing is synthesized', () => {
  const dir = mkdtempSync(join(tmpdir(), 'badcfg-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, 'postgres:\n  instances: 0\nredis:\n  shards: 2\n');
  const outdir = join(dir, 'out');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'stacks/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LAB_CONFIG: file, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /postgres\.instances: must be an integer from 1 to 9/);
  assert.match(run.stderr, /redis\.shards: must be an integer from 3 to 16/);
  assert.equal(existsSync(outdir), false, 'nothing may be synthesized from a bad config');
});

test('cloud profile with placement none: same stacks, larger Postgres, no pool nodeSelectors anywhere', () => {
  const cloud = synthAll({ profile: 'cloud', cluster: { context: 'prod', placement: 'none' } });
  assert.equal(cloud.config.profile, 'cloud');
  for (const name of STACK_NAMES) assert.ok(!cloud.json[name].includes(POOL_LABEL), `${name} still pins pods to pools`);
  const provider = cloud.parsed('platform').provider.kubernetes[0];
  assert.equal(provider.config_context, 'prod');
  assert.equal(provider.config_path, '~/.kube/config');
  const pg = Object.values(cloud.parsed('data').resource.helm_release as Record<string, Json>).find((r) => r.chart === 'cluster')!;
  assert.equal(valuesOf(pg).cluster.storage.size, '50Gi');
});

test('kubeconfig: the providers get the file the config names, from their working directory, without machine paths where it can', () => {
  const outside = mkdtempSync(join(tmpdir(), 'userdir-'));
  // a relative path in the user's directory: absolute in the JSON, the only way to name it from cdktf.out/stacks/<name>/
  const user = synthAll({ profile: 'cloud', cluster: { kubeconfig: 'kube/dev.yaml' } }, { baseDir: outside, home: '/home/tester' });
  for (const name of STACK_NAMES) {
    const parsed = user.parsed(name);
    assert.equal(parsed.provider.kubernetes[0].config_path, join(outside, 'kube', 'dev.yaml'), name);
    assert.equal(parsed.provider.helm[0].kubernetes.config_path, join(outside, 'kube', 'dev.yaml'), name);
  }
  // inside the repository (the simulated cluster's kubeconfig): relative to the stack's directory, like the state
  const inRepo = synthAll({ profile: 'cloud', cluster: { kubeconfig: '.lab/sim/kubeconfig' } }, { baseDir: ROOT, home: '/home/tester' });
  assert.equal(inRepo.parsed('data').provider.kubernetes[0].config_path, '../../../.lab/sim/kubeconfig');
  // under the home directory: "~/...", which both providers expand
  assert.equal(providerPath('/home/tester/.kube/config', { root: ROOT, home: '/home/tester' }), '~/.kube/config');
  assert.equal(providerPath(join(ROOT, 'a', 'b'), { root: ROOT, home: '/home/tester' }), '../../../a/b');
  assert.equal(providerPath('/etc/kube/admin.conf', { root: ROOT, home: '/home/tester' }), '/etc/kube/admin.conf');
  assert.equal(providerPath(`${ROOT.replace(/\/$/, '')}-other/x`, { root: ROOT.replace(/\/$/, '') }), `${ROOT.replace(/\/$/, '')}-other/x`, 'a sibling is not inside');
});

test('template syntax: "${" and "%{" in user strings are escaped for Terraform, cdktf tokens are not', () => {
  assert.equal(escapeTemplateSyntax('uid ${datasource} %{if x}'), 'uid $${datasource} %%{if x}');
  assert.equal(escapeTemplateSyntax('already $${x}'), 'already $$${x}', 'an escaped sequence stays literal too');
  assert.equal(escapeTemplateSyntax('postgres://app:${TfToken[TOKEN.12]}@h/${db}'), 'postgres://app:${TfToken[TOKEN.12]}@h/$${db}');
  assert.deepEqual(terraformLiteral({ a: ['${x}', 3, true, null], '${k}': { b: '%{y}' } }), { a: ['$${x}', 3, true, null], '$${k}': { b: '%%{y}' } });
});

test('every string the stacks hand to a provider is free of unescaped template syntax (only ${var.*} references remain)', () => {
  const unescaped: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/(\$+)\{|(%+)\{/g)) {
        const run = (m[1] ?? m[2])!;
        // an odd run of $ (or %) before "{" starts a template sequence
        if (run.length % 2 === 1 && !v.startsWith('var.', m.index! + m[0].length)) unescaped.push(`${at}: ...${v.slice(Math.max(0, m.index! - 20), m.index! + 30)}...`);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  for (const name of STACK_NAMES) walk(lab.parsed(name).resource, name);
  assert.deepEqual(unescaped, []);
});

const TERRAFORM = spawnSync('/bin/sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim() || undefined;
test('a dashboard with ${datasource} reaches the cluster unchanged: Terraform reads the synthesized ConfigMap data back to the file (real terraform)', { skip: !TERRAFORM && 'terraform not installed' }, () => {
  const dashboard = JSON.stringify({
    title: 'templated',
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: [{ datasource: { uid: '${datasource}' }, targets: [{ expr: 'sum(rate(k6_http_reqs_total{testid=~"$testid"}[1m]))', legendFormat: '%{not a directive} $${kept}' }] }],
  }, null, 2);
  const files = [...readDashboards(), { file: 'templated.json', json: dashboard }];
  const app = Testing.app();
  const stack = new ObservabilityStack(app, lab.config, files);
  const maps = Object.values(JSON.parse(Testing.synth(stack)).resource.kubernetes_config_map_v1 as Record<string, Json>);
  const synthesized = maps.find((m) => m.data['templated.json'])!.data['templated.json'] as string;
  assert.ok(synthesized.includes('"uid": "$${datasource}"'), 'escaped in the JSON');
  // what terraform makes of every dashboard ConfigMap's data: the files, byte for byte
  const dir = mkdtempSync(join(tmpdir(), 'tfliteral-'));
  const data = Object.assign({}, ...maps.map((m) => m.data)) as Record<string, string>;
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ locals: { data } }));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const out = spawnSync(TERRAFORM!, ['console'], { cwd: dir, input: 'jsonencode(local.data)\n', encoding: 'utf8', env });
  assert.equal(out.status, 0, out.stderr);
  const readBack = JSON.parse(JSON.parse(out.stdout.trim())) as Record<string, string>;
  assert.deepEqual(readBack, Object.fromEntries(files.map((f) => [f.file, f.json])));
  // and the check is real: the unescaped data is what failed the deploy (issue 10, F2)
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ locals: { data: { 'templated.json': dashboard } } }));
  const raw = spawnSync(TERRAFORM!, ['console'], { cwd: dir, input: 'jsonencode(local.data)\n', encoding: 'utf8', env });
  assert.match(raw.stderr, /Error: .*Invalid (reference|template control keyword)/);
});

test('a release whose chart renders monitoring.coreos.com objects depends on kube-prometheus-stack (its CRDs), or is in a later stack', () => {
  assert.deepEqual(Object.keys(MONITORING_OBJECTS).sort(), Object.keys(CHART_KEYS).sort(), 'every chart says whether it renders monitoring objects');
  const kps = Object.entries(lab.parsed('platform').resource.helm_release as Record<string, Json>).find(([, r]) => r.chart === 'kube-prometheus-stack')![0];
  const needing: string[] = [];
  for (const stack of STACK_NAMES) {
    for (const r of resources(stack, 'helm_release')) {
      const chart = String(r.chart).split('/').pop()!;
      if (chart === 'kube-prometheus-stack' || monitoringObjectsOf(chart, valuesOf(r)).length === 0) continue;
      needing.push(`${stack}/${chart}`);
      // platform installs the CRDs: its releases wait for that release; later stacks are deployed after platform
      if (stack === 'platform') assert.ok((r.depends_on ?? []).includes(`helm_release.${kps}`), `${chart} does not depend on helm_release.${kps}`);
    }
  }
  assert.deepEqual(needing.sort(), ['data/cluster', 'data/redis-cluster', 'platform/cloudnative-pg', 'platform/k6-operator', 'target/target-api']);
  const redisOperator = resources('platform', 'helm_release').find((r) => r.chart === 'redis-operator')!;
  assert.ok(!(redisOperator.depends_on ?? []).includes(`helm_release.${kps}`), 'no needless wait: the redis-operator chart renders no monitoring objects');
  // the chart defaults count: k6-operator renders its ServiceMonitor unless told not to
  assert.deepEqual(monitoringObjectsOf('k6-operator', {}), ['ServiceMonitor']);
  assert.deepEqual(monitoringObjectsOf('k6-operator', { metrics: { serviceMonitor: { enabled: false } } }), []);
});

test('a re-run recovers from a failed install: every release may reuse the name of its failed release (replace), and cleans up a failed upgrade', () => {
  const releases = STACK_NAMES.flatMap((name) => resources(name, 'helm_release'));
  assert.equal(releases.length, 7);
  for (const r of releases) {
    assert.equal(r.replace, true, `${r.name}: replace`);
    assert.equal(r.cleanup_on_fail, true, `${r.name}: cleanup_on_fail`);
    assert.equal(r.atomic, undefined, `${r.name}: not atomic (it would uninstall the evidence)`);
  }
});

test('chart mirrors: an http:// repository as given, an https:// one with its CA file handed to the helm provider (issue 10 F10)', () => {
  const mirror = synthAll({
    charts: {
      k6Operator: { repository: 'http://charts.lab.internal:8080/grafana' },
      cnpgOperator: { repository: 'https://mirror.example/cnpg', caFile: '.lab/mirror-ca.pem' },
      kubePrometheusStack: { repository: 'https://mirror.example/prom', caFile: '/etc/ssl/mirror/ca.pem' },
    },
  }, { baseDir: ROOT, home: '/home/tester' });
  const byChart = (chart: string) => Object.values(mirror.parsed('platform').resource.helm_release as Record<string, Json>).find((r) => r.chart === chart)!;
  assert.equal(byChart('k6-operator').repository, 'http://charts.lab.internal:8080/grafana');
  assert.equal(byChart('k6-operator').repository_ca_file, undefined);
  assert.equal(byChart('cloudnative-pg').repository_ca_file, '../../../.lab/mirror-ca.pem', 'inside the repository: relative to the stack directory');
  assert.equal(byChart('kube-prometheus-stack').repository_ca_file, '/etc/ssl/mirror/ca.pem');
});

test('kubernetes-models runs on the Node the project supports (package.json engines: node >= 20), its own packages too (issue 10 F13)', () => {
  const minimum = (range: string | undefined) => Number(/^>=\s*(\d+)/.exec(range ?? '>=0')?.[1] ?? NaN);
  const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
  assert.match(ours.dependencies['kubernetes-models']!, /^\d+\.\d+\.\d+$/, 'pinned exactly');
  for (const pkg of ['kubernetes-models', '@kubernetes-models/base', '@kubernetes-models/validate', '@kubernetes-models/apimachinery']) {
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { engines?: { node?: string } };
    assert.ok(minimum(engines?.node) <= minimum(ours.engines.node), `${pkg} needs node ${engines?.node}, the project promises ${ours.engines.node}`);
  }
});
