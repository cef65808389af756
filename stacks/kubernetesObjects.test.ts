// The mapping from a synthesized stack to the Kubernetes objects it creates (pure): Terraform's
// reading of strings, the provider's blocks back to the API's fields, and refusing what it does not know.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesObjectOf, stackObjects, StackMappingError, terraformString } from './kubernetesObjects.ts';

const vars = { redis_password: 's3cret' };

test('strings read as Terraform reads them: escapes, variable references, nothing else', () => {
  assert.equal(terraformString('uid $${datasource} %%{x} a:${var.redis_password}@h', vars), 'uid ${datasource} %{x} a:s3cret@h');
  // "$$${x}" is "$" followed by the escape "$${"
  assert.equal(terraformString('already $$${x}', vars), 'already $${x}');
  assert.throws(() => terraformString('${local.x}', vars, 'at'), /at: \$\{local\.x\} is not a variable reference/);
  assert.throws(() => terraformString('${var.missing}', vars), /no value given for the variable missing/);
  assert.throws(() => terraformString('%{if x}', vars), /directive/);
});

test('provider blocks become API fields; user maps keep their keys; a Secret is base64-encoded', () => {
  const policy = kubernetesObjectOf('kubernetes_network_policy_v1', {
    metadata: { name: 'p', namespace: 'd', labels: { 'app.kubernetes.io/part-of': 'perflab' } },
    spec: { pod_selector: {}, policy_types: ['Ingress'], ingress: [{ from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'app' } } }] }] },
    depends_on: ['x'],
  }, vars);
  assert.deepEqual(policy, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'd', labels: { 'app.kubernetes.io/part-of': 'perflab' } },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } } }] }] },
  });
  const secret = kubernetesObjectOf('kubernetes_secret_v1', { metadata: { name: 's' }, data: { REDIS_PASSWORD: '${var.redis_password}' }, type: 'Opaque' }, vars);
  assert.deepEqual(secret.data, { REDIS_PASSWORD: Buffer.from('s3cret').toString('base64') });
  const map = kubernetesObjectOf('kubernetes_config_map_v1', { metadata: { name: 'c' }, data: { 'a_b.json': '{"uid": "$${ds}"}' } }, vars);
  assert.deepEqual(map.data, { 'a_b.json': '{"uid": "${ds}"}' });
});

test('a resource type or attribute the mapping does not know is an error', () => {
  assert.throws(() => kubernetesObjectOf('kubernetes_deployment_v1', { metadata: {} }, vars), StackMappingError);
  assert.throws(() => kubernetesObjectOf('kubernetes_secret_v1', { metadata: { name: 's' }, binary_data: {} }, vars), /binary_data of kubernetes_secret_v1 are not mapped/);
});

test('namespaces first, raw manifests last, helm releases left out', () => {
  const objects = stackObjects([
    { stack: 'a', json: { resource: { kubernetes_manifest: { r: { manifest: { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'x' } } } }, kubernetes_secret_v1: { s: { metadata: { name: 's' } } }, helm_release: { h: {} } } } },
    { stack: 'b', json: { resource: { kubernetes_namespace_v1: { n: { metadata: { name: 'n' } } } } } },
  ], vars);
  assert.deepEqual(objects.map((o) => o.kind), ['Namespace', 'Secret', 'X']);
});
