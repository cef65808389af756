// Values for the CloudNativePG `cluster` chart: `instances` Postgres pods = 1 primary + streaming
// hot standbys, a PodMonitor, the owner's credentials from a Secret the data stack generates.

import type { LabConfig } from '../../config/types.ts';
import { postgresOwnerSecret } from '../names.ts';
import { placementFor } from '../placement.ts';

export function postgresClusterValues(config: LabConfig) {
  const pg = config.postgres;
  const image = config.images.postgres;
  return {
    type: 'postgresql',
    mode: 'standalone',
    // The chart defaults to 16 whatever the image says; keep both on the pinned major.
    version: { postgresql: image.major },
    fullnameOverride: pg.clusterName,
    cluster: {
      instances: pg.instances,
      imageName: `${image.repository}:${image.tag}`,
      storage: { size: pg.storageSize, ...(pg.storageClass ? { storageClass: pg.storageClass } : {}) },
      resources: pg.resources,
      // CloudNativePG's AffinityConfiguration: spread instances over nodes when there are several.
      affinity: { topologyKey: 'kubernetes.io/hostname', nodeSelector: placementFor(config, pg.pool) },
      postgresql: { parameters: pg.parameters },
      initdb: { database: pg.database, owner: pg.owner, secret: { name: postgresOwnerSecret(config) } },
      monitoring: { enabled: true, podMonitor: { enabled: true }, prometheusRule: { enabled: true } },
    },
    backups: { enabled: false },
  };
}
