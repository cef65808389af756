import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_PROFILES, LabConfigError, loadLabConfig, profileDefaults, resolveLabConfig, SIM_KUBECONFIG, validateLabConfig } from './index.ts';
import { SLA_CATALOGUE } from '../sla/catalogue.ts';
import { didYouMean, editDistance } from './didYouMean.ts';
import { CNPG_CLUSTER_CHART, KUBE_PROMETHEUS_STACK_CHART } from '../versions.ts';

function issuesOf(overrides: unknown, profile?: string): Array<{ path: string; message: string }> {
  try {
    resolveLabConfig({ overrides, profile });
  } catch (error) {
    assert.ok(error instanceof LabConfigError, `expected a LabConfigError, got ${error}`);
    return error.issues;
  }
  assert.fail(`config ${JSON.stringify(overrides)} was accepted`);
}

test('every profile is valid as shipped, and kind is the default', () => {
  assert.deepEqual([...LAB_PROFILES], ['kind', 'cloud', 'sim']);
  for (const profile of LAB_PROFILES) assert.deepEqual(validateLabConfig(profileDefaults(profile)), [], profile);
  const config = resolveLabConfig();
  assert.equal(config.profile, 'kind');
  assert.equal(config.cluster.context, 'kind-perflab');
  assert.equal(config.postgres.instances, 3);
  assert.equal(config.redis.shards, 3);
  assert.equal(config.redis.replicasPerShard, 1);
  assert.equal(config.charts.cnpgCluster.version, CNPG_CLUSTER_CHART.version);
  assert.equal(config.slas, SLA_CATALOGUE);
});

test('LAB_PROFILE=cloud picks the cloud profile; a file overrides single fields and keeps the rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labcfg-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, 'cluster:\n  context: prod-eu\npostgres:\n  parameters:\n    work_mem: 8MB\n');
  const config = loadLabConfig({ env: { LAB_PROFILE: 'cloud', HOME: '/home/tester' }, file });
  assert.equal(config.profile, 'cloud');
  assert.equal(config.cluster.context, 'prod-eu');
  assert.equal(config.cluster.kubeconfig, '/home/tester/.kube/config', '"~/" is expanded when the config is loaded');
  assert.deepEqual(config.postgres.parameters, { work_mem: '8MB' }, 'an open map is replaced, not merged');
  assert.equal(config.postgres.instances, 3);
  assert.equal(loadLabConfig({ env: {} }).profile, 'kind');
});

const cases: Array<[string, unknown, string, RegExp, string?]> = [
  ['unknown profile', { profile: 'minikube' }, 'profile', /one of kind, cloud, sim, got "minikube"/],
  ['unknown LAB_PROFILE', undefined, 'LAB_PROFILE', /one of kind, cloud, sim, got "aws"/, 'aws'],
  ['zero postgres instances', { postgres: { instances: 0 } }, 'postgres.instances', /integer from 1 to 9 \(3 = 1 primary \+ 2 streaming read replicas\), got 0/],
  ['two redis shards', { redis: { shards: 2 } }, 'redis.shards', /from 3 to 16 .*got 2/],
  ['remote-write receiver off', { monitoring: { remoteWriteReceiver: false } }, 'monitoring.remoteWriteReceiver', /must be true/],
  ['chart version range', { charts: { k6Operator: { version: '^4.6.0' } } }, 'charts.k6Operator.version', /exact chart version .* got "\^4.6.0"/],
  ['latest image tag', { target: { image: { tag: 'latest' } } }, 'target.image.tag', /not "latest"/],
  ['unknown pool', { target: { pool: 'gpu' } }, 'target.pool', /one of data, app, load, monitoring, got "gpu"/],
  ['unknown field', { postgres: { replicas: 2 } }, 'postgres.replicas', /not a lab config field; valid fields here: clusterName, instances/],
  ['bad namespace', { namespaces: { data: 'Data_NS' } }, 'namespaces.data', /DNS label/],
  ['duplicate namespaces', { namespaces: { app: 'perflab-data' } }, 'namespaces.app', /must differ from namespaces.data/],
  ['requests above limits', { postgres: { resources: { requests: { memory: '2Gi' } } } }, 'postgres.resources.requests.memory', /must not exceed limits.memory \(1Gi\)/],
  ['another user\'s home in kubeconfig', { cluster: { kubeconfig: '~ops/.kube/config' } }, 'cluster.kubeconfig', /only "~\/" \(your own home\) is expanded/],
  ['empty kubeconfig', { cluster: { kubeconfig: '' } }, 'cluster.kubeconfig', /must be a file path/],
  ['kind context mismatch', { cluster: { context: 'docker-desktop' } }, 'cluster.context', /must be "kind-perflab"/],
  ['bad alert matcher', { monitoring: { alertRoutes: [{ receiver: 'pager', matchers: ['severity=critical'] }] } }, 'monitoring.alertRoutes[0].matchers[0]', /a matcher such as/],
  ['SLA numbers in config', { slas: [] }, 'slas', /lab\/sla\/catalogue.ts/],
  ['numeric postgres parameter', { postgres: { parameters: { max_connections: 500 } } }, 'postgres.parameters.max_connections', /must be a string/],
  ['node smaller than a core', { cluster: { nodes: { data: { cpu: '500m' } } } }, 'cluster.nodes.data.cpu', /CPU quantity of at least 1 core such as "4", got "500m"/],
  ['node memory without unit', { cluster: { nodes: { app: { memory: '16' } } } }, 'cluster.nodes.app.memory', /memory quantity of at least 1Gi/],
  ['node maxPods', { cluster: { nodes: { load: { pods: 3 } } } }, 'cluster.nodes.load.pods', /integer from 10 to 1000 \(the kubelet's maxPods\), got 3/],
  ['node of an unknown pool', { cluster: { nodes: { gpu: { cpu: '8' } } } }, 'cluster.nodes.gpu', /not a lab config field; valid fields here: data, app, load, monitoring/],
  ['ftp chart mirror', { charts: { k6Operator: { repository: 'ftp://mirror/charts' } } }, 'charts.k6Operator.repository', /a Helm repository URL: https:\/\/, http:\/\/ \(a mirror on a network you trust\) or oci:\/\/, got "ftp:\/\/mirror\/charts"/],
  ['CA file for an http mirror', { charts: { cnpgCluster: { repository: 'http://mirror:8080/charts', caFile: '/etc/ssl/mirror.pem' } } }, 'charts.cnpgCluster.caFile', /applies to an https:\/\/ repository only \(charts\.cnpgCluster\.repository is "http:\/\/mirror:8080\/charts"/],
  ['empty CA file', { charts: { redisCluster: { caFile: '' } } }, 'charts.redisCluster.caFile', /must be the path of a PEM CA bundle/],
  ['chart path outside the repo', { target: { chartPath: '../elsewhere' } }, 'target.chartPath', /inside the repository/],
  ['cardinality warning not below the limit', { monitoring: { cardinality: { warnSeries: 5000, maxSeries: 5000 } } }, 'monitoring.cardinality.warnSeries', /must be below maxSeries \(5000\)/],
  ['cardinality limit not a number', { monitoring: { cardinality: { maxSeries: 'lots' } } }, 'monitoring.cardinality.maxSeries', /integer from 1/],
];

for (const [name, overrides, path, message, profile] of cases) {
  test(`bad config: ${name} names ${path}`, () => {
    const issues = issuesOf(overrides, profile);
    const issue = issues.find((i) => i.path === path);
    assert.ok(issue, `no issue for ${path}; got ${JSON.stringify(issues)}`);
    assert.match(issue.message, message);
  });
}

test('every problem of a config is reported at once, each naming its field', () => {
  const issues = issuesOf({ postgres: { instances: 12 }, redis: { replicasPerShard: 3 }, monitoring: { retention: 'forever' } });
  assert.deepEqual(issues.map((i) => i.path).sort(), ['monitoring.retention', 'postgres.instances', 'redis.replicasPerShard']);
  const error = new LabConfigError(issues, 'lab.yaml');
  assert.match(error.message, /invalid lab.yaml:\n {2}- /);
});

test('an unreadable or malformed config file is an error naming the file', () => {
  assert.throws(() => loadLabConfig({ env: {}, file: '/nonexistent/lab.yaml' }), /LAB_CONFIG \(--config\): cannot read \/nonexistent\/lab.yaml: it does not exist/);
  const dir = mkdtempSync(join(tmpdir(), 'labcfg-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'postgres: [unclosed');
  assert.throws(() => loadLabConfig({ env: {}, file }), /is not valid JSON or YAML/);
  assert.throws(() => loadLabConfig({ env: {}, file: dir }), /cannot read .*: it is a folder, not a file/);
  // a device or a pipe would block the read (--config /dev/stdin on a terminal): regular files only
  assert.throws(() => loadLabConfig({ env: {}, file: '/dev/null' }), /it is not a regular file/);
});

test('an unknown field suggests the field it is closest to (a typo), and lists the valid ones', () => {
  const issue = (overrides: unknown) => issuesOf(overrides)[0]!;
  assert.match(issue({ postgress: { instances: 3 } }).message, /^is not a lab config field; did you mean postgres\? valid fields here: profile, cluster,/);
  assert.match(issue({ Redis: {} }).message, /did you mean redis\?/);
  assert.match(issue({ redis: { shard: 3 } }).message, /did you mean shards\?/);
  assert.match(issue({ postgres: { storageclass: 'fast' } }).message, /did you mean storageClass\? .*pool, storageClass$/);
  assert.doesNotMatch(issue({ gpu: {} }).message, /did you mean/);
  assert.doesNotMatch(issue({ gpu: {} }).message, /slas/, 'the SLA catalogue is not a field to set');
});

test('didYouMean: transpositions, a missing or extra letter, case; nothing for a far-off name', () => {
  assert.equal(didYouMean('postgress', ['postgres', 'redis']), 'postgres');
  assert.equal(didYouMean('rdeis', ['postgres', 'redis']), 'redis');
  assert.equal(didYouMean('MONITORING', ['monitoring']), 'monitoring');
  assert.equal(didYouMean('kafka', ['postgres', 'redis']), undefined);
  assert.equal(editDistance('ab', 'ba'), 1);
});

test('file paths: a relative kubeconfig is resolved against the directory the command ran from, "~/" against $HOME, when the config is loaded', () => {
  const userDir = mkdtempSync(join(tmpdir(), 'userdir-'));
  mkdirSync(join(userDir, 'conf'));
  writeFileSync(join(userDir, 'conf', 'lab.yaml'), 'profile: cloud\ncluster:\n  kubeconfig: kube/dev.yaml\n');
  // npm run keeps the user's directory in INIT_CWD while the process runs in the package root
  const viaNpm = loadLabConfig({ env: { INIT_CWD: userDir, HOME: '/home/tester' }, file: 'conf/lab.yaml', cwd: '/' });
  assert.equal(viaNpm.cluster.kubeconfig, join(userDir, 'kube', 'dev.yaml'), 'relative to where the user ran, not to the config file or the package root');
  // lab-up pins that directory in LAB_BASE_DIR for the cdktf app it starts through npx (which resets INIT_CWD)
  const child = loadLabConfig({ env: { LAB_BASE_DIR: userDir, INIT_CWD: '/elsewhere', HOME: '/home/tester' }, file: join(userDir, 'conf', 'lab.yaml'), cwd: '/' });
  assert.equal(child.cluster.kubeconfig, viaNpm.cluster.kubeconfig);
  const home = resolveLabConfig({ overrides: { cluster: { kubeconfig: '~/k/config' } }, paths: { baseDir: '/', home: '/home/tester' } });
  assert.equal(home.cluster.kubeconfig, '/home/tester/k/config');
  const absolute = resolveLabConfig({ overrides: { cluster: { kubeconfig: '/etc/kube/../kube/admin.conf' } }, paths: { baseDir: '/tmp' } });
  assert.equal(absolute.cluster.kubeconfig, '/etc/kube/admin.conf');
  assert.throws(
    () => resolveLabConfig({ overrides: { cluster: { kubeconfig: '~/k' } }, paths: { baseDir: '/' } }),
    /cluster\.kubeconfig: "~\/k" starts with "~" but \$HOME is not set: give an absolute path/,
  );
});

test('sim profile: kind\'s sizes, the simulated cluster\'s kubeconfig under .lab/sim and context perflab-sim', () => {
  const sim = resolveLabConfig({ profile: 'sim' });
  const kind = resolveLabConfig({ profile: 'kind' });
  assert.equal(sim.cluster.context, 'perflab-sim');
  assert.equal(sim.cluster.kubeconfig, SIM_KUBECONFIG);
  assert.ok(SIM_KUBECONFIG.endsWith('/.lab/sim/kubeconfig'));
  assert.deepEqual(sim.postgres, kind.postgres);
  assert.deepEqual(sim.redis, kind.redis);
  assert.deepEqual(sim.monitoring, kind.monitoring);
  assert.deepEqual(sim.target, kind.target);
  assert.equal(resolveLabConfig({ overrides: { profile: 'sim', cluster: { context: 'other' } } }).cluster.context, 'other', 'no kind-<name> rule outside kind');
});

test('chart mirrors: http:// is accepted, and an https:// mirror may name its CA file (made absolute like the kubeconfig) (issue 10 F10)', () => {
  const mirror = resolveLabConfig({
    overrides: {
      charts: {
        k6Operator: { repository: 'http://charts.lab.internal:8080/grafana' },
        kubePrometheusStack: { repository: 'https://mirror.example/prometheus-community', caFile: 'certs/mirror-ca.pem' },
      },
    },
    paths: { baseDir: '/home/tester/lab', home: '/home/tester' },
  });
  assert.equal(mirror.charts.k6Operator.repository, 'http://charts.lab.internal:8080/grafana');
  assert.equal(mirror.charts.k6Operator.caFile, undefined);
  assert.equal(mirror.charts.kubePrometheusStack.caFile, '/home/tester/lab/certs/mirror-ca.pem');
  assert.equal(mirror.charts.kubePrometheusStack.version, KUBE_PROMETHEUS_STACK_CHART.version, 'a mirror serves the pinned version');
});
