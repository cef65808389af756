// The local lab's Prometheus and promtool are the pinned 3.x built into .bin/ (what `npm run setup`
// built here), not Debian's 2.42, and the Debian package check leaves them to their builder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMETHEUS } from '../versions.ts';
import { findPrometheus, prometheusVersionOf, PROMETHEUS_BINARIES } from './prometheus.ts';
import { LOCAL_LAB_BINARIES, missingPackages } from './debianPackages.ts';

test('the lab runs the pinned Prometheus and promtool from .bin/, both reporting the pinned release', () => {
  assert.deepEqual(findPrometheus(), PROMETHEUS_BINARIES, 'not built: run npm run setup');
  assert.equal(prometheusVersionOf(PROMETHEUS_BINARIES.prometheus), PROMETHEUS.release);
  assert.equal(prometheusVersionOf(PROMETHEUS_BINARIES.promtool), PROMETHEUS.release);
  assert.match(PROMETHEUS.release, /^3\./);
  const [major, minor, patch] = PROMETHEUS.release.split('.');
  assert.equal(PROMETHEUS.version, `v0.${major}${minor!.padStart(2, '0')}.${patch}`, 'release 3.x.y is tagged v0.3xx.y on the Go module proxy');
  assert.equal(LOCAL_LAB_BINARIES.prometheus.path, PROMETHEUS_BINARIES.prometheus);
  assert.equal(LOCAL_LAB_BINARIES.promtool.path, PROMETHEUS_BINARIES.promtool);
});

test('a missing built binary is not a Debian package to install', () => {
  assert.deepEqual(missingPackages({ prometheus: { path: '/nonexistent/perflab-prometheus', builtBy: 'ensurePrometheus' } }), []);
  assert.deepEqual(missingPackages({ ghost: { path: '/nonexistent/perflab-ghost', pkg: 'perflab-ghost' } }), ['perflab-ghost']);
});
