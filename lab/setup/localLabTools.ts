// What the local lab needs on this machine, installed before anything starts: the Debian packages
// it runs (Postgres, Redis, Prometheus, Alertmanager, the exporters) and k6 v2. Every entry point
// that starts the local lab calls this first (run-soak.mjs, run.mjs, the benchmarks), as
// `npm run setup` and `npm test` do: the first run on a fresh machine sets itself up and says what
// it installs; where it cannot (not root) it stops before starting anything, naming the command.

import { ensureK6 } from '../k6/binary.ts';
import { ensureDebianPackages, type EnsurePackagesOptions } from './debianPackages.ts';

export function ensureLocalLabTools(log: (line: string) => void, options: EnsurePackagesOptions = {}): { installed: string[]; k6: string } {
  const installed = ensureDebianPackages(log, options);
  return { installed, k6: ensureK6(log) };
}
