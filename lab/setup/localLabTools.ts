// What the local lab needs on this machine, installed before anything starts: the Debian packages
// it runs (Postgres, Redis, Alertmanager, the exporters), Prometheus 3.x and promtool built into
// .bin/ (lab/setup/prometheus.ts), and k6 v2. Every entry point that starts the local lab calls
// this first (run-soak.mjs, run.mjs, the benchmarks), as `npm run setup` and `npm test` do: the
// first run on a fresh machine sets itself up and says what it installs or builds; where it cannot
// (not root, no Go toolchain) it stops before starting anything, naming what is missing.

import { ensureK6 } from '../k6/binary.ts';
import { ensureDebianPackages, type EnsurePackagesOptions } from './debianPackages.ts';
import { ensurePrometheus, type PrometheusBinaries } from './prometheus.ts';

export function ensureLocalLabTools(
  log: (line: string) => void,
  options: EnsurePackagesOptions = {},
): { installed: string[]; prometheus: PrometheusBinaries; k6: string } {
  const installed = ensureDebianPackages(log, options);
  return { installed, prometheus: ensurePrometheus(log), k6: ensureK6(log) };
}
