// Builds the simulated cluster's binaries (lab/sim) from the Go module proxy into the project's
// `.bin/`, at the versions pinned in lab/versions.ts: kube-apiserver, kube-controller-manager,
// kube-scheduler and kubectl (k8s.io/kubernetes), etcd (3.6) and kwok. Never a release download.
//
// Each is built from a generated wrapper module under `.bin/src/<name>/` (a go.mod that requires
// the pinned module, tidied), because `go install mod@version` refuses modules whose go.mod has `replace`
// directives: k8s.io/kubernetes replaces its 33 staging modules with ./staging/..., etcd's server
// its sibling modules with ../...; the wrapper replaces each with the published module instead,
// the list read from the downloaded go.mod at build time.
//
// Build times on this project's 2-core machines: cold, kubernetes ~9 min when idle (16 min measured
// on a busy one), kwok 3-7 min, etcd ~1 min; with the Go build cache (~/.cache/go-build) warm,
// 52 s, 24 s and 5 s (mostly linking). A stamp file
// (`.bin/sim-cluster.json`) records what each binary was built from, so a pinned binary that is
// already there is never rebuilt. A lock per wrapper module keeps two builds (two `npm test`s, say)
// from compiling the same thing at once on a small machine.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD, KUBERNETES, KWOK } from '../versions.ts';
import { isRunning } from '../process/supervisor.ts';
import { waitUntil } from '../process/waitUntil.ts';
import { onPath, PROJECT_BIN, ToolUnavailable } from './goTool.ts';

export const SIM_BINARY_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'] as const;
export type SimBinaryName = (typeof SIM_BINARY_NAMES)[number];
/** Absolute path of each binary the simulated cluster runs. */
export type SimBinaries = Readonly<Record<SimBinaryName, string>>;

/** One wrapper module and the binaries built from it. */
export interface WrapperBuild {
  /** folder under .bin/src/ */
  name: string;
  module: string;
  version: string;
  /**
   * go.mod `replace` targets starting with this (e.g. "./staging/") point into the module's own
   * repository; each such module is replaced by itself at `siblingVersion` instead.
   */
  localReplacePrefix?: string;
  siblingVersion?: string;
  ldflags?: string;
  /** binary name -> Go package */
  binaries: Partial<Record<SimBinaryName, string>>;
  /** for the progress line */
  coldBuild: string;
}

const [K8S_MAJOR, K8S_MINOR] = KUBERNETES.version.slice(1).split('.');

export const SIM_BUILDS: readonly WrapperBuild[] = [
  {
    name: 'kubernetes',
    module: KUBERNETES.module,
    version: KUBERNETES.version,
    localReplacePrefix: './staging/',
    siblingVersion: KUBERNETES.stagingVersion,
    // Without these, /version says v0.0.0-master and charts with a kubeVersion constraint refuse
    // the cluster. The same flags as any other build of this tree keep the Go build cache warm.
    ldflags: [
      `-X k8s.io/component-base/version.gitVersion=${KUBERNETES.version}`,
      `-X k8s.io/component-base/version.gitMajor=${K8S_MAJOR}`,
      `-X k8s.io/component-base/version.gitMinor=${K8S_MINOR}`,
    ].join(' '),
    binaries: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
    coldBuild: '~10 minutes',
  },
  {
    name: 'etcd',
    module: ETCD.module,
    version: ETCD.version,
    localReplacePrefix: '../',
    siblingVersion: ETCD.version,
    binaries: { etcd: ETCD.module },
    coldBuild: '~1 minute',
  },
  {
    name: 'kwok',
    module: KWOK.module,
    version: KWOK.version,
    binaries: { kwok: `${KWOK.module}/cmd/kwok` },
    coldBuild: '3-7 minutes',
  },
];

const STAMP_FILE = join(PROJECT_BIN, 'sim-cluster.json');
const GO_ENV = { ...process.env, GOFLAGS: '-mod=mod' };

/** What a binary is built from; a stamp that differs means "rebuild". */
function buildKey(build: WrapperBuild): string {
  return [`${build.module}@${build.version}`, 'tidy', '-trimpath', build.siblingVersion ? `siblings@${build.siblingVersion}` : '', build.ldflags ?? '']
    .filter(Boolean)
    .join(' ');
}

function readStamps(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(STAMP_FILE, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeStamps(stamps: Record<string, string>): void {
  const tmp = `${STAMP_FILE}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(stamps, null, 2)}\n`);
  renameSync(tmp, STAMP_FILE);
}

const binaryPath = (name: SimBinaryName) => join(PROJECT_BIN, name);

function isBuilt(build: WrapperBuild, stamps = readStamps()): boolean {
  return Object.keys(build.binaries).every(
    (name) => stamps[name] === buildKey(build) && existsSync(binaryPath(name as SimBinaryName)),
  );
}

function allPaths(): SimBinaries {
  return Object.fromEntries(SIM_BINARY_NAMES.map((name) => [name, binaryPath(name)])) as Record<SimBinaryName, string>;
}

/** The pinned binaries when all are built, without building anything. */
export function findSimBinaries(): SimBinaries | undefined {
  const stamps = readStamps();
  return SIM_BUILDS.every((build) => isBuilt(build, stamps)) ? allPaths() : undefined;
}

/**
 * The `replace` lines of a wrapper module (pure): every module the target's go.mod replaces with a
 * path starting with `prefix` becomes `module => module <version>`.
 */
export function siblingReplaces(targetGoMod: string, prefix: string, version: string): string[] {
  const modules: string[] = [];
  let inBlock = false;
  for (const raw of targetGoMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === 'replace (') inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    else if (inBlock || line.startsWith('replace ')) {
      const match = /^(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+(\S+)$/.exec(line);
      if (match && match[2]!.startsWith(prefix)) modules.push(match[1]!);
    }
  }
  return modules.map((module) => `${module} => ${module} ${version}`);
}

/** The wrapper module's go.mod (pure), from the target module's own go.mod. */
export function wrapperGoMod(build: WrapperBuild, targetGoMod: string): string {
  const goVersion = /^go\s+(\S+)/m.exec(targetGoMod)?.[1];
  if (!goVersion) throw new ToolUnavailable(`the go.mod of ${build.module}@${build.version} has no go line`);
  const replaces = build.localReplacePrefix && build.siblingVersion
    ? siblingReplaces(targetGoMod, build.localReplacePrefix, build.siblingVersion)
    : [];
  return [
    `// Generated by lab/setup/controlPlane.ts to build ${build.module}@${build.version}; do not edit.`,
    `module perflab.local/sim-${build.name}`,
    '',
    `go ${goVersion}`,
    '',
    `require ${build.module} ${build.version}`,
    ...(replaces.length ? ['', 'replace (', ...replaces.map((r) => `\t${r}`), ')'] : []),
    '',
  ].join('\n');
}

/** A Go file that imports the packages to build, so `go mod tidy` keeps what they need (pure). */
export function toolsGo(packages: readonly string[]): string {
  return ['//go:build tools', '', 'package tools', '', 'import (', ...packages.map((p) => `\t_ "${p}"`), ')', ''].join('\n');
}

/** The name `go build -o dir/` gives a package's binary: its last path element, skipping a /vN suffix. */
export function defaultExecName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts.at(-1)!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

/**
 * Takes the wrapper module's build lock, waiting while another live process holds it. The lock is
 * written in full before it appears (link of a finished file), so a reader never sees it half-written.
 */
async function acquireLock(lockFile: string, log: (line: string) => void): Promise<void> {
  const mine = `${lockFile}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(mine, lockFile);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (!isRunning(holder)) {
        rmSync(lockFile, { force: true }); // its builder died: the lock is stale
        continue;
      }
      log(`waiting for the build already running in process ${holder}`);
      await waitUntil(`process ${holder} to finish its build`, [], async () => !existsSync(lockFile) || !isRunning(holder), {
        timeoutMs: 60 * 60_000,
        maxIntervalMs: 2000,
      });
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

function goBuild(args: string[], cwd: string, what: string, coldBuild: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: GO_ENV, stdio: ['ignore', 'inherit', 'inherit'] });
    // A cold build is silent for minutes: say that it is still going.
    const progress = setInterval(() => {
      const minutes = Math.round((Date.now() - started) / 60_000);
      log(`still building ${what} (${minutes} min elapsed; a cold build takes ${coldBuild})`);
    }, 60_000);
    const done = (error?: Error) => {
      clearInterval(progress);
      if (error) reject(error);
      else resolve();
    };
    child.on('error', (error) => done(new ToolUnavailable(`could not run go build for ${what}: ${error.message}`)));
    child.on('exit', (code, signal) =>
      done(code === 0 ? undefined : new ToolUnavailable(`building ${what} failed (go build exit ${code ?? signal})`)));
  });
}

async function buildWrapper(build: WrapperBuild, log: (line: string) => void): Promise<void> {
  const dir = join(PROJECT_BIN, 'src', build.name);
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, 'build.lock');
  await acquireLock(lockFile, log);
  const partialDir = join(PROJECT_BIN, `${build.name}.partial-${process.pid}`);
  try {
    if (isBuilt(build)) return; // built by the process we waited for
    const spec = `${build.module}@${build.version}`;
    log(`downloading ${spec} from the Go module proxy`);
    const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', spec], { cwd: dir, env: GO_ENV, encoding: 'utf8' })) as {
      GoMod?: string;
      Error?: string;
    };
    if (!info.GoMod) throw new ToolUnavailable(`go mod download ${spec} failed: ${info.Error ?? 'no go.mod'}`);
    const names = Object.keys(build.binaries) as SimBinaryName[];
    const packages = names.map((name) => build.binaries[name]!);
    // A fresh go.mod each time, completed by `go mod tidy` from a tools.go that imports what is
    // built. Tidy matters for the Go cache: it selects the versions of the whole module graph
    // (k8s.io/api v0.36.1, not the v0.0.0 that k8s.io/kubernetes's own go.mod names), and -trimpath
    // writes those versions into every compiled file, so any other tidy wrapper of the same pins
    // (and only those) shares the cached compilation.
    writeFileSync(join(dir, 'go.mod'), wrapperGoMod(build, readFileSync(info.GoMod, 'utf8')));
    writeFileSync(join(dir, 'tools.go'), toolsGo(packages));
    rmSync(join(dir, 'go.sum'), { force: true });
    execFileSync('go', ['mod', 'tidy'], { cwd: dir, env: GO_ENV, stdio: ['ignore', 'ignore', 'inherit'] });
    const what = names.join(', ');
    log(`building ${what} ${build.version} (a first build takes ${build.coldBuild}; later ones reuse the Go cache)`);
    const started = Date.now();
    rmSync(partialDir, { recursive: true, force: true });
    mkdirSync(partialDir);
    // Into a partial folder, then renamed: a killed build never leaves half a binary in .bin/.
    const args = ['build', '-trimpath', ...(build.ldflags ? ['-ldflags', build.ldflags] : []), '-o', `${partialDir}/`, ...packages];
    await goBuild(args, dir, what, build.coldBuild, log);
    const stamps = readStamps();
    for (const name of names) {
      renameSync(join(partialDir, defaultExecName(build.binaries[name]!)), binaryPath(name));
      stamps[name] = buildKey(build);
    }
    writeStamps(stamps);
    log(`built ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    rmSync(partialDir, { recursive: true, force: true });
    rmSync(lockFile, { force: true });
  }
}

/** The simulated cluster's binaries: found at the pinned versions, or built with the Go toolchain. */
export async function ensureSimBinaries(log: (line: string) => void = () => {}): Promise<SimBinaries> {
  const found = findSimBinaries();
  if (found) return found;
  if (!onPath('go')) {
    throw new ToolUnavailable('the simulated cluster is built from the Go module proxy and there is no Go toolchain: install Go >= 1.26 (https://go.dev/doc/install)');
  }
  for (const build of SIM_BUILDS) {
    if (!isBuilt(build)) await buildWrapper(build, log);
  }
  return allPaths();
}
