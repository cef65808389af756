#!/usr/bin/env zx
// Installs what the local lab and the tests need, idempotently: the Debian packages (Postgres,
// Redis, Prometheus, Alertmanager, exporters, openssl), k6 v2, helm and the simulated cluster's
// binaries, all built from the Go module proxy.
import { tsImport } from 'tsx/esm/api';

if (argv.help || argv.h) {
  echo(`usage: zx scripts/setup.mjs [--no-packages] [--no-k6] [--no-helm] [--no-sim-cluster]

Installs what the local lab needs. Safe to run again: it only adds what is missing.
  --no-packages   skip the Debian packages (apt-get; needs root)
  --no-browser    skip Debian's chromium (the report's browser test opens report.html in it)
  --no-prometheus skip Prometheus 3.x and promtool (the local lab's; built into .bin/ from the Go module proxy)
  --no-k6         skip k6 (uses k6 v2 on PATH, else builds the pinned one into .bin/)
  --no-helm       skip helm (used by the chart tests)
  --no-sim-cluster  skip the simulated cluster's binaries (kube-apiserver, controller-manager,
                  scheduler, kubectl v1.36, etcd 3.6, kwok; lab/sim and its tests) and the
                  ServiceMonitor/PrometheusRule CRDs its tests install (Go module cache)`);
  process.exit(0);
}

const step = (line) => echo(`setup: ${line}`);
const { ensureDebianPackages, REPORT_BROWSER } = await tsImport('../lab/setup/debianPackages.ts', import.meta.url);
const { ensurePrometheus } = await tsImport('../lab/setup/prometheus.ts', import.meta.url);
const { ensureK6 } = await tsImport('../lab/k6/binary.ts', import.meta.url);
const { ensureHelm } = await tsImport('../lab/setup/helm.ts', import.meta.url);
const { ensureSimBinaries } = await tsImport('../lab/setup/controlPlane.ts', import.meta.url);
const { ensureMonitoringCrds } = await tsImport('../lab/setup/monitoringCrds.ts', import.meta.url);

try {
  if (argv.packages !== false) ensureDebianPackages(step);
  if (argv.packages !== false && argv.browser !== false) ensureDebianPackages(step, { binaries: REPORT_BROWSER });
  // ~5 minutes cold on 2 cores, seconds once built (the pinned release is found in .bin/)
  if (argv.prometheus !== false) step(`prometheus: ${Object.values(ensurePrometheus(step)).join(' ')}`);
  if (argv.k6 !== false) step(`k6: ${ensureK6(step)}`);
  if (argv.helm !== false) step(`helm: ${ensureHelm(step)}`);
  // A cold build takes 13-18 minutes on 2 cores (kubernetes ~9, kwok 3-7, etcd 1); afterwards the
  // pinned binaries are found in .bin/ at once, and a re-pin rebuilds in a minute or two from the Go cache.
  if (argv['sim-cluster'] !== false) step(`sim cluster: ${Object.keys(await ensureSimBinaries(step)).join(', ')} in .bin/`);
  // the CRDs the sim tests install: prometheus-operator's Go module (~4 MB once, then the Go module cache)
  if (argv['sim-cluster'] !== false) step(`monitoring CRDs: ${Object.keys(ensureMonitoringCrds(step)).join(', ')} (prometheus-operator's Go module)`);
} catch (error) {
  console.error(`setup failed: ${error.message}`);
  process.exit(1);
}
