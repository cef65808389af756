// Values for the OT-CONTAINER-KIT redis-cluster chart: `shards` leaders, each with
// `replicasPerShard` follower (3 x 1 = 6 nodes), pinned Redis and redis_exporter images,
// a ServiceMonitor, the password from a Secret the data stack generates.

import type { LabConfig } from '../../config/types.ts';
import { redisPasswordSecret } from '../names.ts';
import { placementFor } from '../placement.ts';

export function redisClusterValues(config: LabConfig) {
  const r = config.redis;
  const onPool = placementFor(config, r.pool);
  const nodeSelector = Object.keys(onPool).length > 0 ? onPool : null;
  return {
    redisCluster: {
      name: r.clusterName,
      clusterSize: r.shards,
      clusterVersion: 'v7',
      persistenceEnabled: true,
      image: config.images.redis.repository,
      tag: config.images.redis.tag,
      redisSecret: { secretName: redisPasswordSecret(config), secretKey: 'password' },
      resources: r.resources,
      leader: { replicas: r.shards, nodeSelector },
      follower: { replicas: r.shards * r.replicasPerShard, nodeSelector },
    },
    redisExporter: {
      enabled: true,
      image: config.images.redisExporter.repository,
      tag: config.images.redisExporter.tag,
    },
    serviceMonitor: { enabled: true, namespace: config.namespaces.data },
    storageSpec: {
      volumeClaimTemplate: {
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: r.storageSize } } },
      },
    },
  };
}
