// Preflight: before lab-up touches anything, check the tools it needs are there and working,
// and say exactly what is missing and how to get it. Touches PATH and runs `<tool> version`-like
// probes; `env` lets a caller (and the tests) decide which PATH is searched.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { LabConfig } from '../config/types.ts';

export interface PreflightProblem {
  tool: string;
  problem: string;
  fix: string;
}

export interface PreflightResult {
  ok: boolean;
  problems: PreflightProblem[];
  /** tool name -> resolved binary, for the ones found. */
  found: Record<string, string>;
  /** what cdktf should run terraform as: 'terraform' or 'tofu'. */
  terraformBinary?: string;
}

const INSTALL = {
  docker: 'install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, and start it',
  kind: 'install kind v0.32.0: `go install sigs.k8s.io/kind@v0.32.0` (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)',
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/) matching your cluster within one minor version',
  terraform: 'install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) or OpenTofu (https://opentofu.org/docs/intro/install/; then TERRAFORM_BINARY_NAME=tofu)',
} as const;

type Env = NodeJS.ProcessEnv;

function which(name: string, env: Env): string | undefined {
  const out = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', name], { env, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() || undefined : undefined;
}

function runs(binary: string, args: string[], env: Env, timeoutMs = 15_000): { ok: boolean; output: string } {
  const out = spawnSync(binary, args, { env, encoding: 'utf8', timeout: timeoutMs });
  const output = `${out.stdout ?? ''}${out.stderr ?? ''}`.trim();
  return { ok: out.status === 0, output: out.error ? out.error.message : output };
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/**
 * The tools each profile needs: all need kubectl and terraform|tofu; kind also docker (a running
 * engine) and kind. `also`: what a step asks for besides (lab:up --push: docker, on any profile).
 */
export function requiredTools(config: LabConfig, also: readonly string[] = []): string[] {
  const tools = config.profile === 'kind' ? ['docker', 'kind', 'kubectl', 'terraform'] : ['kubectl', 'terraform'];
  return [...also.filter((t) => !tools.includes(t)), ...tools];
}

export function checkTools(config: LabConfig, env: Env = process.env, also: readonly string[] = []): PreflightResult {
  const problems: PreflightProblem[] = [];
  const found: Record<string, string> = {};
  let terraformBinary: string | undefined;
  for (const tool of requiredTools(config, also)) {
    if (tool === 'terraform') {
      const wanted = env.TERRAFORM_BINARY_NAME;
      const candidates = wanted ? [wanted] : ['terraform', 'tofu'];
      const name = candidates.find((c) => which(c, env));
      if (!name) {
        problems.push({
          tool: 'terraform',
          problem: wanted ? `TERRAFORM_BINARY_NAME=${wanted} is not on PATH` : 'neither terraform nor tofu is on PATH',
          fix: INSTALL.terraform,
        });
        continue;
      }
      const binary = which(name, env)!;
      // `terraform version` asks HashiCorp's checkpoint service for a newer release unless told not to
      const version = runs(binary, ['version'], { ...env, CHECKPOINT_DISABLE: '1' });
      if (!version.ok) problems.push({ tool: name, problem: `\`${name} version\` failed: ${firstLine(version.output)}`, fix: INSTALL.terraform });
      found[name] = binary;
      terraformBinary = name;
      continue;
    }
    const binary = which(tool, env);
    if (!binary) {
      problems.push({ tool, problem: 'not found on PATH', fix: INSTALL[tool as keyof typeof INSTALL] });
      continue;
    }
    found[tool] = binary;
    if (tool === 'docker') {
      // The CLI alone is not enough: kind needs a running engine.
      const info = runs(binary, ['info', '--format', '{{.ServerVersion}}'], env);
      if (!info.ok) problems.push({ tool, problem: `the Docker engine is not reachable (${firstLine(info.output)})`, fix: 'start Docker (`sudo systemctl start docker` or Docker Desktop) and check `docker info`' });
    }
  }
  return { ok: problems.length === 0, problems, found, terraformBinary };
}

/** Why `file` cannot be read as a file, or undefined when it can. */
function unreadable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${file} is not a file`;
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code ?? (error as Error).message})`;
  }
}

/**
 * The files the config names, checked before anything changes: the kubeconfig (cloud only: on
 * kind `kind create cluster` writes it, on sim lab-up's simulated cluster does; checkContext checks
 * it then) and the charts' CA files. The config holds absolute
 * paths (resolved when it was loaded), the same the stacks hand to the providers.
 */
export function checkConfigFiles(config: LabConfig): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  // kind and sim: lab-up creates the cluster and its kubeconfig (checkContext checks it then)
  if (config.profile === 'cloud') {
    const why = unreadable(config.cluster.kubeconfig);
    if (why) {
      problems.push({
        tool: 'cluster.kubeconfig',
        problem: why,
        fix: 'set cluster.kubeconfig in your LAB_CONFIG file to your kubeconfig (absolute, "~/..." or relative to where you run lab-up)',
      });
    }
  }
  for (const [key, chart] of Object.entries(config.charts)) {
    const why = chart.caFile === undefined ? undefined : unreadable(chart.caFile);
    if (why) problems.push({ tool: `charts.${key}.caFile`, problem: why, fix: 'point it at the PEM CA bundle that signed the repository\'s certificate' });
  }
  return problems;
}

/** Whether kubectl reaches the config's context (after kind created it, on the kind profile). */
export function checkContext(config: LabConfig, env: Env = process.env): PreflightProblem | undefined {
  const kubectl = which('kubectl', env);
  if (!kubectl) return { tool: 'kubectl', problem: 'not found on PATH', fix: INSTALL.kubectl };
  const kubeconfig = config.cluster.kubeconfig;
  const missing = unreadable(kubeconfig);
  if (missing) return { tool: 'cluster.kubeconfig', problem: missing, fix: 'set cluster.kubeconfig to the kubeconfig that holds the lab\'s context' };
  const probe = runs(kubectl, ['--kubeconfig', kubeconfig, '--context', config.cluster.context, '--request-timeout=10s', 'get', '--raw', '/readyz'], env, 20_000);
  if (probe.ok) return undefined;
  return {
    tool: 'kubectl',
    problem: `context "${config.cluster.context}" in ${config.cluster.kubeconfig} is not reachable (${firstLine(probe.output)})`,
    fix: config.profile === 'kind'
      ? `create the cluster (npm run lab:up does) or check \`kind get clusters\``
      : config.profile === 'sim'
        ? 'npm run lab:up -- --profile sim starts the simulated cluster and writes this kubeconfig; check `kubectl --kubeconfig ' + kubeconfig + ' get nodes`'
        : `set cluster.context in your LAB_CONFIG file to a context of \`kubectl config get-contexts\`, and check \`kubectl --context ${config.cluster.context} get nodes\``,
  };
}

/**
 * The CRDs in the config's cluster whose API group is one of `groups` (names like
 * "podmonitors.monitoring.coreos.com", sorted), or undefined when kubectl cannot tell (not
 * installed, cluster unreachable).
 */
export function crdsInCluster(config: LabConfig, groups: readonly string[], env: Env = process.env): string[] | undefined {
  return namesInCluster(config, 'crd', env)?.filter((name) => groups.some((g) => name.endsWith(`.${g}`)));
}

/**
 * The names of every object of a cluster-scoped resource (`crd`, `namespace`) in the config's
 * cluster, sorted, or undefined when kubectl cannot tell (not installed, cluster unreachable).
 */
export function namesInCluster(config: LabConfig, resource: string, env: Env = process.env): string[] | undefined {
  const kubectl = which('kubectl', env);
  if (!kubectl || unreadable(config.cluster.kubeconfig)) return undefined;
  const out = spawnSync(kubectl, ['--kubeconfig', config.cluster.kubeconfig, '--context', config.cluster.context, '--request-timeout=10s', 'get', resource, '-o', 'name'], { env, encoding: 'utf8', timeout: 20_000 });
  if (out.status !== 0) return undefined;
  return out.stdout.split('\n').map((l) => l.trim().replace(/^[^/]*\//, '')).filter(Boolean).sort();
}

export function formatProblems(problems: readonly PreflightProblem[]): string {
  return problems.map((p) => `  - ${p.tool}: ${p.problem}\n    fix: ${p.fix}`).join('\n');
}

/** Host limits kind nodes hit on laptops ("too many open files"); warnings, not failures. */
export const INOTIFY_MINIMUMS = { max_user_watches: 524288, max_user_instances: 512 } as const;

export function inotifyWarnings(read: (file: string) => string | undefined = readProc): string[] {
  return Object.entries(INOTIFY_MINIMUMS).flatMap(([name, minimum]) => {
    const value = Number(read(`/proc/sys/fs/inotify/${name}`));
    return Number.isFinite(value) && value < minimum
      ? [`fs.inotify.${name} is ${value}; kind nodes may fail with "too many open files": sudo sysctl fs.inotify.${name}=${minimum}`]
      : [];
  });
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
