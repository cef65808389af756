#!/usr/bin/env zx
// Installs what the local lab and the tests need, idempotently: the Debian packages (Postgres,
// Redis, Prometheus, Alertmanager, exporters), k6 v2 and helm, both built from the Go module proxy.
import { tsImport } from 'tsx/esm/api';

if (argv.help || argv.h) {
  echo(`usage: zx scripts/setup.mjs [--no-packages] [--no-k6] [--no-helm]

Installs what the local lab needs. Safe to run again: it only adds what is missing.
  --no-packages   skip the Debian packages (apt-get; needs root)
  --no-k6         skip k6 (uses k6 v2 on PATH, else builds the pinned one into .bin/)
  --no-helm       skip helm (used by the chart tests)`);
  process.exit(0);
}

const step = (line) => echo(`setup: ${line}`);
const { ensureDebianPackages } = await tsImport('../lab/setup/debianPackages.ts', import.meta.url);
const { ensureK6 } = await tsImport('../lab/k6/binary.ts', import.meta.url);
const { ensureHelm } = await tsImport('../lab/setup/helm.ts', import.meta.url);

try {
  if (argv.packages !== false) ensureDebianPackages(step);
  if (argv.k6 !== false) step(`k6: ${ensureK6(step)}`);
  if (argv.helm !== false) step(`helm: ${ensureHelm(step)}`);
} catch (error) {
  console.error(`setup failed: ${error.message}`);
  process.exit(1);
}
