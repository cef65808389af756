// Builds a pinned Go tool (k6, helm) from the Go module proxy into the project's `.bin/`.
// Never downloads a release binary. The Go build and module caches make a rebuild take seconds.
// `go install` is not used: its deprecation lookup of a /vN module path fails behind a module
// proxy, so the downloaded module is built in place.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';

export const PROJECT_BIN = join(PROJECT_ROOT, '.bin');

export interface GoTool {
  /** binary name, e.g. "k6" */
  name: string;
  module: string;
  version: string;
  /** package inside the module to build, e.g. "./cmd/helm" ("." for the module root). */
  packagePath: string;
  /** build tags (`go build -tags`), e.g. Prometheus' `remove_all_sd`. */
  tags?: readonly string[];
  /** `go build -ldflags`, e.g. the version a binary reports of itself. */
  ldflags?: string;
}

export class ToolUnavailable extends Error {}

export function onPath(name: string): string | undefined {
  const out = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() || undefined : undefined;
}

export function projectBinary(tool: GoTool): string {
  return join(PROJECT_BIN, tool.name);
}

export function buildGoTool(tool: GoTool, log: (line: string) => void = () => {}): string {
  if (!onPath('go')) {
    throw new ToolUnavailable(
      `${tool.name} ${tool.version} is needed and there is no Go toolchain to build it: install Go >= 1.24 ` +
        `(https://go.dev/doc/install) or ${tool.name} ${tool.version} itself`,
    );
  }
  // GOWORK=off: a module is built as itself; a go.work shipped in its zip (Prometheus' does) names
  // folders the zip does not hold, and workspace mode refuses -mod=mod.
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' };
  const spec = `${tool.module}@${tool.version}`;
  log(`downloading ${spec} from the Go module proxy`);
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', spec], { env, encoding: 'utf8' }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new ToolUnavailable(`go mod download ${spec} failed: ${info.Error ?? 'no module folder'}`);
  mkdirSync(PROJECT_BIN, { recursive: true });
  const partial = join(PROJECT_BIN, `${tool.name}.partial-${process.pid}`);
  log(`building ${tool.name} ${tool.version} (a first build takes minutes; later ones reuse the Go cache)`);
  const flags = [...(tool.tags?.length ? ['-tags', tool.tags.join(',')] : []), ...(tool.ldflags ? ['-ldflags', tool.ldflags] : [])];
  const build = spawnSync('go', ['build', '-trimpath', ...flags, '-o', partial, tool.packagePath], {
    cwd: info.Dir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0 || !existsSync(partial)) {
    throw new ToolUnavailable(`building ${spec} failed (go build exit ${build.status})`);
  }
  const target = projectBinary(tool);
  renameSync(partial, target);
  return target;
}
