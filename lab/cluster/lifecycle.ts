// lab up and lab down: the order of the steps, each step delegated to the module that touches
// the thing (preflight, kind, the simulated cluster, cdktf, secrets, state). No argv here:
// scripts/lab-up.mjs and scripts/teardown.mjs parse flags and call these.
//
// The cluster each profile deploys into: kind creates one from kind-config.yaml (kept until
// lab:down), sim starts a simulated one with the config's nodes (lab/sim/labSimCluster.ts: kept
// running until lab:down, reused by the next lab:up), cloud uses the one the kubeconfig names.

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import type { LabConfig } from '../config/types.ts';
import { fitCheck } from '../config/fit.ts';
import { checkConfigFiles, checkContext, checkTools, crdsInCluster, formatProblems, inotifyWarnings } from './preflight.ts';
import { createKindCluster, deleteKindCluster, kindClusterExists, kindCreateArgs, kindInstalled, kindNodes } from './kind.ts';
import { checkLabImages } from './imagePreflight.ts';
import type { ImagePullCheck } from './registry.ts';
import { imageIdOnNode } from './docker.ts';
import { buildTargetImage, loadTargetImageIntoKind, pushTargetImage, type BuiltImage } from './targetImage.ts';
import { buildTargetBundle, targetBundleConfigMap } from './manifests/targetBundle.ts';
import { targetImageRef } from './images.ts';
import { cdktfCommands, describeCommand, runCdktfCommands, type LabStackName } from './cdktf.ts';
import { ensureLabSecrets } from './labSecrets.ts';
import { deployedStacks, forgetDestroyedState, forgetState, protectState } from './labState.ts';
import { CHART_CRD_GROUPS, GRAFANA_ADMIN_SECRET, RELEASES } from './names.ts';
import { ensureSimCluster, simClusterStatus, SimClusterError, stopSimCluster } from '../sim/labSimCluster.ts';
import { namesInCluster } from './preflight.ts';

export const LAB_DIR = join(PROJECT_ROOT, '.lab');

export class PreflightFailed extends Error {}

/** Runs the cdktf commands (runCdktfCommands); tests give a stand-in for the cdktf processes. */
export type StackRunner = typeof runCdktfCommands;

/** Namespaces every cluster has before the lab: not the lab's leftovers. */
const KUBERNETES_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** mm:ss since `started`. */
const elapsedSince = (started: number) => {
  const s = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export interface UpOptions {
  log: (line: string) => void;
  /** check and print the plan (commands), change nothing. */
  dryRun?: boolean;
  stacks?: readonly LabStackName[];
  skipProviderLock?: boolean;
  env?: NodeJS.ProcessEnv;
  /** the log is a terminal (colours kept); default: whether stdout is one. */
  tty?: boolean;
  /** repository root holding .lab/ (default: this checkout). */
  root?: string;
  /** Ctrl-C: a simulated cluster being started is stopped and removed; no stack is started after it. */
  signal?: AbortSignal;
  /** @default runCdktfCommands */
  runStacks?: StackRunner;
  /** delivery image: build the target's image and push it to target.registry before deploying. */
  push?: boolean;
  /** do not ask registries whether the lab's images can be pulled (the cluster pulls through a mirror this machine does not reach). */
  skipImageCheck?: boolean;
  /** asks an image's registry; @default checkImagePullable (tests give a stand-in) */
  imagePullCheck?: ImagePullCheck;
}

export async function labUp(config: LabConfig, opts: UpOptions): Promise<void> {
  const { log } = opts;
  const env = opts.env ?? process.env;
  const root = opts.root ?? PROJECT_ROOT;
  const started = Date.now();
  log(`profile ${config.profile}: context ${config.cluster.context}`);
  const ownImage = config.target.delivery === 'image';
  if (opts.push && !ownImage) {
    throw new PreflightFailed(`--push publishes the target's own image, and target.delivery is "bundle", which needs none (the stock Node image runs the service's bundle); set target.delivery: image to deliver the image instead. Nothing was changed.`);
  }
  if (opts.push && !config.target.registry) {
    throw new PreflightFailed(`--push needs target.registry: the registry your cluster pulls from (e.g. ghcr.io/<you>; the image becomes <registry>/${targetImageRef(config).ref}). Nothing was changed.`);
  }
  // docker builds the target's own image on kind (it is there anyway) and for --push on any profile
  const tools = checkTools(config, env, opts.push ? ['docker'] : []);
  const problems = [...tools.problems, ...checkConfigFiles(config)];
  if (problems.length > 0) {
    throw new PreflightFailed(`preflight failed, nothing was changed:\n${formatProblems(problems)}`);
  }
  log(`preflight: ${Object.entries(tools.found).map(([t, p]) => `${t} ${p}`).join(', ')}`);
  // a pod that fits no node stays Pending and Helm waits for it until its timeout: say so now
  for (const problem of fitCheck(config).problems) log(`warning: does not fit cluster.nodes, pods will stay Pending: ${problem}`);
  if (!ownImage) {
    // the target stack builds it again at synth (same bytes): fail here, naming the step, rather than in cdktf's first stack
    const bundleStarted = Date.now();
    try {
      const bundle = buildTargetBundle();
      targetBundleConfigMap(config, bundle);
      log(`target bundle (delivery bundle, on ${config.target.nodeImage.repository}:${config.target.nodeImage.tag}): ${bundle.code.length} bytes, `
        + `${bundle.gzipped.length} gzipped into ConfigMap ${config.target.releaseName}-bundle, sha256 ${bundle.sha256.slice(0, 12)} (${Date.now() - bundleStarted} ms)`);
    } catch (error) {
      throw new PreflightFailed(`preflight failed, nothing was changed:\n  - target bundle: ${(error as Error).message}`);
    }
  }
  const kindConfigFile = join(root, 'kind-config.yaml');
  // every image the lab runs must be pullable, or on kind already on the nodes (kind: the target's own image is built and loaded below)
  const kindExists = config.profile === 'kind' && kindClusterExists(config.cluster.name, env);
  if (config.profile === 'sim') {
    log('images: not checked on sim (its nodes pull nothing)');
  } else if (opts.skipImageCheck) {
    log('images: not checked (--skip-image-check): a pod whose image cannot be pulled stays in ErrImagePull and its release times out');
  } else {
    const images = await checkLabImages(config, {
      pullable: opts.imagePullCheck,
      targetBuiltByLabUp: ownImage && (config.profile === 'kind' || Boolean(opts.push)),
      kindNodes: kindExists ? { nodes: kindNodes(config.cluster.name, env), idOn: (node, ref) => imageIdOnNode(node, ref, env) } : undefined,
    });
    for (const line of images.found) log(`image ${line}`);
    if (images.problems.length > 0) {
      throw new PreflightFailed(`preflight failed, nothing was changed: ${images.problems.length} image(s) the lab runs cannot be pulled\n${formatProblems(images.problems)}`);
    }
  }
  // the target's own image: built before any cluster is touched, so a failed build changes nothing
  let built: BuiltImage | undefined;
  // the sources are this checkout's, as for the cdktf app (root may hold only .lab/)
  const imageSteps = { root: PROJECT_ROOT, env, log, tty: opts.tty ?? Boolean(process.stdout.isTTY), dryRun: opts.dryRun };
  if (ownImage && (config.profile === 'kind' || opts.push)) {
    try {
      built = await buildTargetImage(config, imageSteps);
      if (opts.push) await pushTargetImage(built, imageSteps);
    } catch (error) {
      throw new PreflightFailed(`${(error as Error).message}\nnothing was deployed.`);
    }
  }
  if (config.profile === 'sim') {
    let sim;
    try {
      sim = await ensureSimCluster(config, { root, log, signal: opts.signal, dryRun: opts.dryRun });
    } catch (error) {
      if (error instanceof SimClusterError) throw new PreflightFailed(`${error.message}\nnothing was changed.`);
      throw new PreflightFailed(`${(error as Error).message}\nnothing was deployed.`);
    }
    // a new cluster holds none of the stacks: state from an earlier one describes nothing any more
    const forgotten = sim.action === 'started' ? forgetState(root) : [];
    if (forgotten.length > 0) log(`forgot the stacks' state of the earlier simulated cluster: ${forgotten.map((f) => relative(root, f)).join(', ')}`);
    if (sim.action !== 'none (dry run)') log(`simulated cluster ${sim.action} (${elapsedSince(started)})`);
  }
  if (config.profile === 'kind') {
    for (const warning of inotifyWarnings()) log(`warning: ${warning}`);
    if (kindClusterExists(config.cluster.name, env)) log(`kind cluster ${config.cluster.name} exists: reusing it`);
    else if (opts.dryRun) log(`would run: kind ${kindCreateArgs(config.cluster.name, 'kind-config.yaml').join(' ')}`);
    else {
      log(`creating kind cluster ${config.cluster.name} (5 nodes, from kind-config.yaml)`);
      createKindCluster(config.cluster.name, kindConfigFile, env);
    }
    if (built) {
      try {
        await loadTargetImageIntoKind(config, built, imageSteps);
      } catch (error) {
        throw new PreflightFailed(`${(error as Error).message}\nnothing was deployed (the kind cluster stays: lab:up again, or lab:down).`);
      }
    }
  }
  if (!opts.dryRun) {
    const unreachable = checkContext(config, env);
    if (unreachable) throw new PreflightFailed(`preflight failed:\n${formatProblems([unreachable])}`);
  }
  const labDir = join(root, '.lab');
  const { secrets, file, created } = opts.dryRun
    ? { secrets: undefined, file: join(labDir, 'secrets.json'), created: [] as string[] }
    : ensureLabSecrets(labDir);
  if (created.length > 0) log(`generated ${created.join(', ')} into ${file} (mode 0600, reused on the next up)`);
  const tty = opts.tty ?? Boolean(process.stdout.isTTY);
  const cmds = cdktfCommands('deploy', {
    stacks: opts.stacks,
    variables: secrets,
    terraformBinary: tools.terraformBinary,
    skipProviderLock: opts.skipProviderLock,
    noColor: !tty,
  });
  if (opts.dryRun) {
    for (const cmd of cmds) log(`would run: ${describeCommand(cmd)}`);
    return;
  }
  if (opts.signal?.aborted) throw new PreflightFailed('interrupted before the first stack: nothing was deployed');
  log(`deploying ${cmds.map((c) => c.stack).join(', ')}, one stack at a time`);
  protectState(root);
  try {
    await (opts.runStacks ?? runCdktfCommands)(cmds, (line) => log(line), { cwd: root, tty });
  } finally {
    protectState(root);
  }
  log(`lab up in ${elapsedSince(started)}: ${cmds.map((c) => c.stack).join(', ')} deployed into ${config.cluster.context}`);
  if (config.profile === 'sim') {
    log('simulated nodes run no containers: the lab is deployed (objects admitted, pods scheduled and reported Running), '
      + 'but nothing in it serves; docs/cluster.md#the-simulated-cluster-profile-sim says what that proves');
  }
  for (const line of accessInstructions(config)) log(line);
}

/** Where Grafana, Prometheus and Alertmanager are, and how to log in. */
export function accessInstructions(config: LabConfig, home: string | undefined = process.env.HOME): string[] {
  // kubectl reads ~/.kube/config by default; any other kubeconfig (sim's, a file the config names) is spelled out
  const kubeconfig = home && config.cluster.kubeconfig === join(home, '.kube', 'config') ? '' : `--kubeconfig ${config.cluster.kubeconfig} `;
  const ctx = `${kubeconfig}--context ${config.cluster.context} -n ${config.namespaces.monitoring}`;
  const rel = RELEASES.kubePrometheusStack;
  return [
    'the lab is up. Reach it with port-forwards:',
    `  Grafana:      kubectl ${ctx} port-forward svc/${rel}-grafana 3000:80             -> http://localhost:3000`,
    `  Prometheus:   kubectl ${ctx} port-forward svc/${rel}-kube-prometheus-prometheus 9090   -> http://localhost:9090`,
    `  Alertmanager: kubectl ${ctx} port-forward svc/${rel}-kube-prometheus-alertmanager 9093 -> http://localhost:9093`,
    `  Grafana login: user "${config.monitoring.grafanaAdminUser}", password generated for this lab:`,
    `    kubectl ${ctx} get secret ${GRAFANA_ADMIN_SECRET} -o jsonpath='{.data.admin-password}' | base64 -d`,
    `    (also in .lab/secrets.json, key grafana_admin_password)`,
  ];
}

export interface DownOptions {
  log: (line: string) => void;
  /** keep the kind cluster (destroy only the stacks). */
  keepCluster?: boolean;
  env?: NodeJS.ProcessEnv;
  /** repository root holding .lab/ (default: this checkout). */
  root?: string;
  /** skip `terraform providers lock` (it asks the registry); for offline provider mirrors. */
  skipProviderLock?: boolean;
  /** the log is a terminal (colours kept); default: whether stdout is one. */
  tty?: boolean;
  /** @default runCdktfCommands */
  runStacks?: StackRunner;
}

/** Tears the lab down; idempotent. Returns what it removed (empty when there was nothing). */
export async function labDown(config: LabConfig, opts: DownOptions): Promise<string[]> {
  const { log } = opts;
  const env = opts.env ?? process.env;
  const root = opts.root ?? PROJECT_ROOT;
  const started = Date.now();
  const removed: string[] = [];
  const deployed = deployedStacks(root);
  const sim = config.profile === 'sim' ? simClusterStatus(root) : undefined;
  // kind: the cluster is gone when kind no longer lists it; sim: unless every process of the one
  // lab:up started still runs (stopped, half dead or never started: its stacks went or go with it).
  // Cloud clusters outlive the lab.
  const clusterGone = config.profile === 'kind'
    ? !kindClusterExists(config.cluster.name, env)
    : sim !== undefined && sim.state !== 'running';
  if (deployed.length === 0) {
    log('stacks: no deployed resources recorded in .lab/state, nothing to destroy');
  } else if (clusterGone) {
    // the resources went with the cluster; their state describes nothing any more
    const files = forgetState(root);
    const cluster = config.profile === 'kind' ? `kind cluster ${config.cluster.name}` : `simulated cluster (${config.cluster.kubeconfig})`;
    log(`${cluster} is gone: forgot the state of ${deployed.map((d) => d.stack).join(', ')}`);
    removed.push(...files.map((f) => `state ${relative(root, f)}`));
  } else {
    const stacks = deployed.map((d) => d.stack);
    const tools = checkTools({ ...config, profile: 'cloud' }, env);
    // terraform asks for every variable on destroy too; the values no longer matter
    const { secrets } = ensureLabSecrets(join(root, '.lab'));
    const tty = opts.tty ?? Boolean(process.stdout.isTTY);
    const cmds = cdktfCommands('destroy', {
      stacks, variables: secrets, terraformBinary: tools.terraformBinary, skipProviderLock: opts.skipProviderLock, noColor: !tty,
    });
    log(`destroying ${cmds.map((c) => c.stack).join(', ')}, one stack at a time`);
    protectState(root);
    try {
      await (opts.runStacks ?? runCdktfCommands)(cmds, log, { cwd: root, tty });
    } finally {
      protectState(root);
    }
    removed.push(...deployed.map((d) => `stack ${d.stack} (${d.resources.length} resources)`));
    log(`destroyed ${cmds.map((c) => c.stack).join(', ')} in ${elapsedSince(started)}`);
    const emptied = forgetDestroyedState(root, stacks);
    if (emptied.length > 0) {
      log(`removed their emptied state and the backups Terraform kept of it (the destroyed resources, passwords included): ${emptied.map((f) => relative(root, f)).join(', ')}`);
    }
  }
  // Helm never deletes the CRDs a chart installed: where the cluster stays, say which are left
  const clusterStays = config.profile === 'cloud' ? !clusterGone : Boolean(opts.keepCluster) && !clusterGone;
  if (clusterStays) {
    const found = crdsInCluster(config, Object.values(CHART_CRD_GROUPS), env);
    // when kubectl cannot tell, say it only after destroying something now (a lab that never ran left nothing)
    const destroyedNow = removed.some((r) => r.startsWith('stack '));
    if (found !== undefined || destroyedNow) for (const line of leftoverCrdsNotice(config, found)) log(line);
  }
  if (sim !== undefined && !clusterStays) {
    if (sim.state === 'running') for (const line of simLeftovers(config, env)) log(line);
    const { stopped, removed: paths } = await stopSimCluster(root);
    if (sim.state !== 'none') {
      const what = stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'none of its processes was running';
      removed.push(`simulated cluster (${what}; removed ${paths.map((p) => relative(root, p) || p).join(', ')})`);
      log(`simulated cluster: ${what}; removed ${paths.map((p) => relative(root, p) || p).join(', ')} (${elapsedSince(started)})`);
    }
  }
  if (config.profile === 'kind' && !opts.keepCluster) {
    if (!kindInstalled(env)) log('kind is not installed: there is no kind cluster to delete');
    else if (deleteKindCluster(config.cluster.name, env)) removed.push(`kind cluster ${config.cluster.name}`);
    else log(`kind cluster ${config.cluster.name}: not present`);
  }
  log(removed.length > 0 ? `removed: ${removed.join('; ')}` : 'nothing to remove: the lab was already down');
  const secrets = join(root, '.lab', 'secrets.json');
  if (existsSync(secrets)) log(`kept: ${relative(root, secrets)} (the generated passwords, reused by the next lab:up; delete it for new ones)`);
  return removed;
}

/**
 * What is left in the simulated cluster after its stacks were destroyed, said before it is stopped
 * (with everything in it): the CRDs (Helm never deletes them) and any namespace besides
 * Kubernetes' own. A fresh simulated cluster has neither, so whatever is listed came from the lab.
 */
function simLeftovers(config: LabConfig, env: NodeJS.ProcessEnv): string[] {
  const crds = namesInCluster(config, 'crd', env);
  const namespaces = namesInCluster(config, 'namespace', env)?.filter((ns) => !KUBERNETES_NAMESPACES.includes(ns));
  if (crds === undefined || namespaces === undefined) return ['could not list what is left in the simulated cluster (kubectl failed); it goes with the cluster'];
  return [
    `left in the simulated cluster, going with it: ${crds.length} CRDs${crds.length > 0 ? ` (${crds.join(', ')})` : ''}; `
      + `namespaces besides Kubernetes' own: ${namespaces.length > 0 ? namespaces.join(', ') : 'none'}`,
  ];
}

/**
 * What teardown leaves in a cluster that stays (cloud, sim, kind with --keep-cluster): the CRDs the
 * charts installed, which Helm keeps on uninstall (their custom resources would go with them), and
 * how to remove them. `found`: the lab's CRDs kubectl listed, or undefined when it could not ask.
 */
export function leftoverCrdsNotice(config: LabConfig, found: readonly string[] | undefined): string[] {
  const kubectl = `kubectl --kubeconfig ${config.cluster.kubeconfig} --context ${config.cluster.context}`;
  const groups = Object.values(CHART_CRD_GROUPS);
  if (found === undefined) {
    return [
      `left in the cluster: the CRDs the charts installed (groups ${groups.join(', ')}; Helm never deletes CRDs); could not list them.`,
      `  list them: ${kubectl} get crd -o name | grep -E '\\.(${groups.map((g) => g.replace(/\./g, '\\.')).join('|')})$'`,
    ];
  }
  if (found.length === 0) return [];
  return [
    `left in the cluster: ${found.length} CRDs the charts installed (Helm never deletes CRDs): ${found.join(', ')}`,
    `  remove them, unless something else on this cluster uses them (a shared Prometheus operator needs monitoring.coreos.com):`,
    `  ${kubectl} delete crd ${found.join(' ')}`,
  ];
}
