// The target's delivery fields of the lab config (issue 16): target.delivery, target.nodeImage,
// target.registry — defaults, and every bad value named with what would be valid.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabConfigError, LAB_PROFILES, resolveLabConfig } from './index.ts';
import { TARGET_API } from '../versions.ts';

function issuesOf(overrides: unknown): string[] {
  try {
    resolveLabConfig({ overrides });
  } catch (error) {
    assert.ok(error instanceof LabConfigError, String(error));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail(`accepted ${JSON.stringify(overrides)}`);
}

test('every profile delivers the target as a bundle on the pinned Node image, with no registry', () => {
  for (const profile of LAB_PROFILES) {
    const { target } = resolveLabConfig({ profile });
    assert.equal(target.delivery, 'bundle', profile);
    assert.equal(`${target.nodeImage.repository}:${target.nodeImage.tag}`, TARGET_API.nodeImage);
    assert.equal(target.registry, undefined);
  }
});

test('delivery image with a registry is accepted; bad delivery, node image and registry are named', () => {
  const config = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: 'registry.example.com:5000/perf' } } });
  assert.equal(config.target.registry, 'registry.example.com:5000/perf');
  assert.deepEqual(issuesOf({ target: { delivery: 'docker' } }), ['target.delivery: must be one of bundle, image, got "docker"']);
  assert.deepEqual(issuesOf({ target: { nodeImage: { tag: 'latest' } } }), ['target.nodeImage.tag: must be an exact image tag (not "latest"), got "latest"']);
  for (const registry of ['https://ghcr.io/acme', 'ghcr.io/acme/', 'ghcr.io/acme:1.0/x', 'Ghcr.io', '']) {
    const [issue] = issuesOf({ target: { registry } });
    assert.match(issue!, /^target\.registry: must be a registry host with an optional path, no scheme and no tag/, registry);
  }
  assert.match(issuesOf({ target: { registri: 'ghcr.io/acme' } })[0]!, /^target\.registri: is not a lab config field; did you mean registry\?/);
});
