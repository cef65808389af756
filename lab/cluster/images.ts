// The container images the lab config pins, and image references taken apart as the Docker
// Registry HTTP API v2 needs them. Pure.
//
// Listed: the target's (the Node image that runs its bundle, or its own image), the k6 runner's
// (K6.image: the TestRun builder's default; the lab config has no runner image of its own), and
// the data tier's (Postgres, Redis, redis_exporter). Not listed, so not checked: the images the
// upstream charts choose themselves (the operators', Prometheus', Grafana's, kube-state-metrics',
// the k6-operator's starter...), which their chart versions pin.

import type { LabConfig } from '../config/types.ts';
import { K6 } from '../versions.ts';

export interface LabImage {
  /** where it is set, e.g. "target.nodeImage" or "K6.image (lab/versions.ts)". */
  field: string;
  /** the reference as the pods name it, e.g. "node:20.20.2-bookworm-slim". */
  ref: string;
  /** what runs it, in words. */
  runs: string;
}

/** The service's own image (delivery image): <registry>/<image.repository>:<image.tag>, or without registry. */
export function targetImageRef(config: LabConfig): { repository: string; tag: string; ref: string } {
  const { image, registry } = config.target;
  const repository = registry ? `${registry}/${image.repository}` : image.repository;
  return { repository, tag: image.tag, ref: `${repository}:${image.tag}` };
}

const pinned = (image: { repository: string; tag: string }) => `${image.repository}:${image.tag}`;

/** Every image the lab config pins, the target's first. */
export function labImages(config: LabConfig): LabImage[] {
  const target: LabImage = config.target.delivery === 'bundle'
    ? { field: 'target.nodeImage', ref: pinned(config.target.nodeImage), runs: 'the target service (its bundle, delivery bundle)' }
    : { field: config.target.registry ? 'target.registry + target.image' : 'target.image', ref: targetImageRef(config).ref, runs: 'the target service (delivery image)' };
  return [
    target,
    { field: 'K6.image (lab/versions.ts)', ref: K6.image, runs: 'the k6 runners of every TestRun' },
    { field: 'images.postgres', ref: pinned(config.images.postgres), runs: 'Postgres (CloudNativePG)' },
    { field: 'images.redis', ref: pinned(config.images.redis), runs: 'the Redis cluster' },
    { field: 'images.redisExporter', ref: pinned(config.images.redisExporter), runs: 'redis_exporter' },
  ];
}

export interface ImageName {
  /** the registry's host as the API is asked (Docker Hub: registry-1.docker.io). */
  registry: string;
  /** the repository path in it (Docker Hub's official images under library/). */
  repository: string;
  /** a tag or a digest (sha256:...). */
  reference: string;
}

/**
 * An image reference as Docker reads it: the first path part is a registry when it has a "." or
 * a ":" or is "localhost"; otherwise the image is Docker Hub's (one part: an official image, under
 * library/). No tag means "latest".
 */
export function parseImageRef(ref: string): ImageName {
  let rest = ref;
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  const parts = rest.split('/');
  const first = parts[0]!;
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? parts.slice(1).join('/') : rest;
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = 'registry-1.docker.io';
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  return { registry, repository, reference };
}

/**
 * Whether the registry is spoken to over plain http: as Docker does by default, only for a
 * registry on this machine (localhost, 127.0.0.0/8, ::1); everything else over https.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
