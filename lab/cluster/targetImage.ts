// The target's own image (target.delivery "image", opt-in): built by lab:up from target/Dockerfile,
// loaded into the kind cluster's nodes, or pushed to target.registry (lab:up --push) — each step
// skipped when what is there already has the same content:
//
//   build  skipped when docker has <ref> labelled perflab.dev/source-hash=<hash of what the build
//          context sends: the Dockerfile, its .dockerignore, package.json, the lockfile,
//          tsconfig.json, target/src without tests, and the Node base image>;
//   load   only into the kind nodes whose containerd does not hold <ref> with docker's image id
//          (`crictl inspecti`, as `kind load` itself checks);
//   push   `docker push` (the registry skips the layers it has).
//
// Each step shows its output with the elapsed time; a failure names the step (ImageStepFailed).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LabConfig } from '../config/types.ts';
import { targetImageRef } from './images.ts';
import { clock, imageIdOnNode, localImage, runImageStep } from './docker.ts';
import { kindLoadArgs, kindNodes } from './kind.ts';

export const DOCKERFILE = 'target/Dockerfile';
/** The image label holding the hash of the sources it was built from. */
export const SOURCE_LABEL = 'perflab.dev/source-hash';

/** The files target/Dockerfile's build context sends (Dockerfile.dockerignore), repository-relative, sorted. */
export function targetImageSources(root: string): string[] {
  const src = readdirSync(join(root, 'target/src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.endsWith('.test.ts') && statSync(join(root, 'target/src', f)).isFile())
    .map((f) => `target/src/${f}`);
  return [DOCKERFILE, `${DOCKERFILE}.dockerignore`, 'package.json', 'package-lock.json', 'tsconfig.json', ...src].sort();
}

/** sha256 of every file the build uses (name and bytes) and of the Node base image. */
export function targetImageSourceHash(root: string, nodeImage: string): string {
  const hash = createHash('sha256').update(`NODE_IMAGE=${nodeImage}\n`);
  for (const file of targetImageSources(root)) hash.update(`${file}\n`).update(readFileSync(join(root, file))).update('\n');
  return hash.digest('hex');
}

/** `docker build` of the target image, from the repository root. */
export function dockerBuildArgs(ref: string, sourceHash: string, nodeImage: string): string[] {
  return ['build', '-f', DOCKERFILE, '--build-arg', `NODE_IMAGE=${nodeImage}`, '--label', `${SOURCE_LABEL}=${sourceHash}`, '--tag', ref, '.'];
}

export interface ImageStepOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  tty?: boolean;
  dryRun?: boolean;
}

export interface BuiltImage {
  ref: string;
  sourceHash: string;
  /** docker's image id (undefined on a dry run that would build). */
  id?: string;
}

const short = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);

/** Builds the target image unless docker has it from the same sources. */
export async function buildTargetImage(config: LabConfig, opts: ImageStepOptions): Promise<BuiltImage> {
  const { ref } = targetImageRef(config);
  const nodeImage = `${config.target.nodeImage.repository}:${config.target.nodeImage.tag}`;
  const sourceHash = targetImageSourceHash(opts.root, nodeImage);
  const there = localImage(ref, SOURCE_LABEL, opts.env);
  if (there?.label === sourceHash) {
    opts.log(`target image ${ref}: docker has it, built from these sources (${short(sourceHash)}): no build`);
    return { ref, sourceHash, id: there.id };
  }
  const why = there ? `docker's ${ref} was built from ${there.label ? `other sources (${short(there.label)})` : 'sources lab:up did not record'}` : `docker has no ${ref}`;
  const args = dockerBuildArgs(ref, sourceHash, nodeImage);
  if (opts.dryRun) {
    opts.log(`would run: docker ${args.join(' ')}   (${why})`);
    return { ref, sourceHash };
  }
  opts.log(`target image ${ref}: building from ${DOCKERFILE} (${why}; sources ${short(sourceHash)})`);
  const started = Date.now();
  await runImageStep('target image: docker build', 'docker', args, { env: opts.env, cwd: opts.root, log: opts.log, tty: opts.tty });
  const built = localImage(ref, SOURCE_LABEL, opts.env);
  if (built?.label !== sourceHash) throw new Error(`target image: docker build ended but docker has no ${ref} labelled ${SOURCE_LABEL}=${short(sourceHash)} (it has ${built ? `${short(built.id)} labelled ${built.label ?? 'nothing'}` : 'none'})`);
  opts.log(`target image ${ref}: built in ${clock(Date.now() - started)} (${short(built.id)})`);
  return { ref, sourceHash, id: built.id };
}

/** Loads the built image into the kind nodes that do not hold it yet (all of them, the image being new). */
export async function loadTargetImageIntoKind(config: LabConfig, image: BuiltImage, opts: ImageStepOptions): Promise<string[]> {
  const cluster = config.cluster.name;
  const nodes = kindNodes(cluster, opts.env);
  if (nodes.length === 0 && !opts.dryRun) throw new Error(`target image: kind lists no nodes for cluster ${cluster}; cannot load ${image.ref}`);
  const missing = image.id ? nodes.filter((node) => imageIdOnNode(node, image.ref, opts.env) !== image.id) : nodes;
  if (nodes.length > 0 && missing.length === 0) {
    opts.log(`target image ${image.ref} (${short(image.id!)}) is on every node of kind cluster ${cluster}: no load`);
    return [];
  }
  const args = kindLoadArgs(image.ref, cluster, missing.length > 0 ? missing : ['<every node>']);
  if (opts.dryRun) {
    opts.log(`would run: kind ${args.join(' ')}`);
    return missing;
  }
  opts.log(`target image ${image.ref}: loading into ${missing.join(', ')}`);
  const started = Date.now();
  await runImageStep('target image: kind load docker-image', 'kind', args, { env: opts.env, cwd: opts.root, log: opts.log, tty: opts.tty });
  const still = missing.filter((node) => imageIdOnNode(node, image.ref, opts.env) !== image.id);
  if (still.length > 0) throw new Error(`target image: kind load ended but ${still.join(', ')} still lack ${image.ref} (${short(image.id!)})`);
  opts.log(`target image ${image.ref}: loaded into ${missing.length} node(s) in ${clock(Date.now() - started)}`);
  return missing;
}

/** Pushes the built image to target.registry (`docker push`; layers the registry has are skipped). */
export async function pushTargetImage(image: BuiltImage, opts: ImageStepOptions): Promise<void> {
  if (opts.dryRun) {
    opts.log(`would run: docker push ${image.ref}`);
    return;
  }
  opts.log(`target image ${image.ref}: pushing`);
  const started = Date.now();
  await runImageStep('target image: docker push', 'docker', ['push', image.ref], { env: opts.env, cwd: opts.root, log: opts.log, tty: opts.tty });
  opts.log(`target image ${image.ref}: pushed in ${clock(Date.now() - started)}`);
}
