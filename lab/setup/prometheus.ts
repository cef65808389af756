// Builds the local lab's Prometheus and promtool at the pinned 3.x (lab/versions.ts PROMETHEUS)
// from the Go module proxy into `.bin/` (see goTool.ts); never a release download, and not
// Debian's prometheus 2.42 (versions.ts says why). Every entry point that starts the local lab
// calls this through ensureLocalLabTools, as `npm run setup` does.
//
// How it builds: the module from the proxy, `go build -trimpath` in its folder, with
//   - GOWORK=off (goTool.ts): the module zip ships a go.work naming folders it does not hold;
//   - the build tag `remove_all_sd`, upstream's way to leave out the optional service discoveries
//     (kubernetes, cloud providers...): file, static and http discovery stay, and the lab uses
//     only file_sd and static configs;
//   - no `builtinassets` tag: the web UI's assets are not embedded (they are not in the module; the
//     lab never needs the UI, and the API, /-/ready and /metrics are served as usual);
//   - `-X github.com/prometheus/common/version.Version=<release>`, so `--version`,
//     prometheus_build_info and /api/v1/status/buildinfo say 3.16.0 and a stale build is found.
// Measured on the project's 2-core machine (load 4-6): cold (empty module and build caches)
// prometheus 3 min 57 s, then promtool 1 min 31 s; warm ~4 s each (link only).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PROMETHEUS } from '../versions.ts';
import { buildGoTool, projectBinary, type GoTool } from './goTool.ts';

const LDFLAGS = [
  `-X github.com/prometheus/common/version.Version=${PROMETHEUS.release}`,
  `-X github.com/prometheus/common/version.Branch=${PROMETHEUS.version}`,
].join(' ');

const tool = (name: 'prometheus' | 'promtool'): GoTool => ({
  name, module: PROMETHEUS.module, version: PROMETHEUS.version, packagePath: `./cmd/${name}`, tags: ['remove_all_sd'], ldflags: LDFLAGS,
});

const TOOLS = { prometheus: tool('prometheus'), promtool: tool('promtool') } as const;

/** Where the lab's prometheus and promtool live (`.bin/`), built or not. */
export const PROMETHEUS_BINARIES = {
  prometheus: projectBinary(TOOLS.prometheus),
  promtool: projectBinary(TOOLS.promtool),
} as const;

export type PrometheusBinaries = typeof PROMETHEUS_BINARIES;

/** The release a prometheus or promtool binary reports (`--version`: "prometheus, version 3.16.0 (...)"). */
export function prometheusVersionOf(binary: string): string | undefined {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  return /, version (\S+)/.exec(out.stdout)?.[1];
}

const isPinned = (binary: string) => existsSync(binary) && prometheusVersionOf(binary) === PROMETHEUS.release;

/** The pinned prometheus and promtool when both are built, without building anything. */
export function findPrometheus(): PrometheusBinaries | undefined {
  return Object.values(PROMETHEUS_BINARIES).every(isPinned) ? PROMETHEUS_BINARIES : undefined;
}

/** The pinned prometheus and promtool: found in `.bin/`, or built there with the Go toolchain. */
export function ensurePrometheus(log?: (line: string) => void): PrometheusBinaries {
  for (const name of ['prometheus', 'promtool'] as const) {
    if (!isPinned(PROMETHEUS_BINARIES[name])) buildGoTool(TOOLS[name], log);
  }
  return PROMETHEUS_BINARIES;
}
