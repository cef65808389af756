// Preflight of the images the lab config pins (lab/cluster/images.ts): before lab:up deploys
// anything, each must be pullable — its registry says so over the Docker Registry HTTP API v2,
// asked anonymously, as a node would pull it (registry.ts) — or, on kind, already loaded on every
// node of the cluster. Each that is not is named with what runs it, what the registry said and
// what to do. The target's own image (delivery image) is skipped where lab:up builds it itself
// (kind: built and loaded; --push: built and pushed); on cloud without --push it must be in the
// registry already, and the fix says how to publish it.
//
// Not checked: the images the upstream charts pick themselves (the operators', Prometheus',
// Alertmanager's, Grafana's, kube-state-metrics', node-exporter's, the k6-operator's starter),
// which their pinned chart versions choose and their registries serve; and whether the cluster's
// nodes reach a registry this machine reaches (a firewall, a pull-through mirror, credentials).

import type { LabConfig } from '../config/types.ts';
import { labImages, parseImageRef, type LabImage } from './images.ts';
import { checkImagePullable, type ImagePullCheck, type Pullability } from './registry.ts';
import type { PreflightProblem } from './preflight.ts';
import { DOCKERFILE } from './targetImage.ts';

export interface ImagePreflightOptions {
  /** @default checkImagePullable (real HTTP) */
  pullable?: ImagePullCheck;
  /**
   * kind, when the cluster exists: its nodes, and the id a node holds under a reference (or
   * undefined). An image on every node counts as there.
   */
  kindNodes?: { nodes: readonly string[]; idOn: (node: string, ref: string) => string | undefined };
  /** lab:up builds the target's own image here (kind) or pushes it (--push): not asked of a registry. */
  targetBuiltByLabUp?: boolean;
}

export interface ImagePreflightResult {
  problems: PreflightProblem[];
  /** one line per image: where it was found. */
  found: string[];
}

const isTargetOwn = (config: LabConfig, image: LabImage) => config.target.delivery === 'image' && image.field.includes('target.image');

/** What to do about one image that cannot be pulled. */
function fixFor(config: LabConfig, image: LabImage, result: Exclude<Pullability, { pullable: true }>): string {
  if (isTargetOwn(config, image)) {
    const build = `docker build -f ${DOCKERFILE} --build-arg NODE_IMAGE=${config.target.nodeImage.repository}:${config.target.nodeImage.tag} -t ${image.ref} . && docker push ${image.ref}`;
    if (!config.target.registry) {
      return `${image.ref} is lab:up's own image and no registry has it: set target.registry to a registry your cluster pulls from (e.g. ghcr.io/<you>), then \`npm run lab:up -- --push\` builds, tags and pushes <registry>/${image.ref} before deploying; `
        + 'or set target.delivery: bundle (the default: no image to publish)';
    }
    return `publish it: \`npm run lab:up -- --push\` (builds ${DOCKERFILE}, tags and pushes ${image.ref}, then deploys), or by hand from the repository root: ${build}; `
      + 'or set target.delivery: bundle (the default: no image to publish)';
  }
  const where = image.field.startsWith('K6.image') ? 'K6.image in lab/versions.ts' : image.field;
  const load = config.profile === 'kind'
    ? `; on kind, load it yourself from a machine that can pull it: docker pull ${image.ref} && kind load docker-image ${image.ref} --name ${config.cluster.name}`
    : '';
  if (result.why === 'unreachable') {
    return `this machine cannot reach ${parseImageRef(image.ref).registry}: if the cluster's nodes pull through a mirror or a proxy this machine lacks, run lab:up with --skip-image-check${load}`;
  }
  return `check ${where}: the exact tag must exist in that repository; or copy it into a registry your cluster pulls from (docker pull, docker tag, docker push) and set ${where} to that reference${load}`;
}

/** Checks every image the lab runs; all registry questions at once. */
export async function checkLabImages(config: LabConfig, opts: ImagePreflightOptions = {}): Promise<ImagePreflightResult> {
  const pullable = opts.pullable ?? ((ref: string) => checkImagePullable(ref));
  const images = labImages(config).filter((image) => !(opts.targetBuiltByLabUp && isTargetOwn(config, image)));
  const results = await Promise.all(images.map(async (image) => {
    const nodes = opts.kindNodes?.nodes ?? [];
    if (nodes.length > 0 && nodes.every((node) => opts.kindNodes!.idOn(node, image.ref) !== undefined)) {
      return { image, line: `${image.ref}: loaded on every node of kind cluster ${config.cluster.name}` };
    }
    const answer = await pullable(image.ref);
    if (answer.pullable) return { image, line: `${image.ref}: pullable from ${parseImageRef(image.ref).registry}` };
    const problem: PreflightProblem = {
      tool: `image ${image.ref} (${image.field})`,
      problem: `${image.runs} cannot be pulled: ${answer.detail}`,
      fix: fixFor(config, image, answer),
    };
    return { image, problem };
  }));
  return {
    problems: results.flatMap((r) => ('problem' in r && r.problem ? [r.problem] : [])),
    found: results.flatMap((r) => ('line' in r && r.line ? [r.line] : [])),
  };
}
