// kind: does the lab's cluster exist, create it from kind-config.yaml, delete it, its nodes, loading an image.

import { spawnSync } from 'node:child_process';

type Env = NodeJS.ProcessEnv;

function kind(args: string[], env: Env, inherit = false) {
  return spawnSync('kind', args, { env, encoding: 'utf8', stdio: inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe' });
}

/** false also when kind is not installed: then no kind cluster can exist. */
export function kindClusterExists(name: string, env: Env = process.env): boolean {
  const out = kind(['get', 'clusters'], env);
  if (out.error || out.status !== 0) return false;
  return out.stdout.split('\n').map((l) => l.trim()).includes(name);
}

export function kindInstalled(env: Env = process.env): boolean {
  const out = kind(['version'], env);
  return !out.error && out.status === 0;
}

export function kindCreateArgs(name: string, configFile: string): string[] {
  return ['create', 'cluster', '--name', name, '--config', configFile, '--wait', '180s'];
}

export function createKindCluster(name: string, configFile: string, env: Env = process.env): void {
  const out = kind(kindCreateArgs(name, configFile), env, true);
  if (out.status !== 0) throw new Error(`kind create cluster --name ${name} failed (exit ${out.status ?? out.error?.message})`);
}

/** Deletes the cluster if it exists; returns whether there was one. */
export function deleteKindCluster(name: string, env: Env = process.env): boolean {
  if (!kindClusterExists(name, env)) return false;
  const out = kind(['delete', 'cluster', '--name', name], env, true);
  if (out.status !== 0) throw new Error(`kind delete cluster --name ${name} failed (exit ${out.status})`);
  return true;
}

/** The node (container) names of a kind cluster, or [] when it has none or kind cannot tell. */
export function kindNodes(name: string, env: Env = process.env): string[] {
  const out = kind(['get', 'nodes', '--name', name], env);
  if (out.error || out.status !== 0) return [];
  return out.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

/** `kind load docker-image` of one image into some nodes of the cluster. */
export function kindLoadArgs(ref: string, name: string, nodes: readonly string[]): string[] {
  return ['load', 'docker-image', ref, '--name', name, '--nodes', nodes.join(',')];
}
