// Values for the target service's chart (charts/target-api, or whatever the config names):
// image, replicas, placement, the non-secret env that points it at the data services, and the
// names of the Secrets holding its credentials (loaded as env: DATABASE_PRIMARY_URL, REDIS_PASSWORD).

import type { LabConfig } from '../../config/types.ts';
import { dataEndpoints, TARGET_SECRETS } from '../names.ts';
import { placementFor } from '../placement.ts';

export function targetApiValues(config: LabConfig) {
  const t = config.target;
  const data = dataEndpoints(config);
  return {
    image: { repository: t.image.repository, tag: t.image.tag },
    replicaCount: t.replicas,
    resources: t.resources,
    env: {
      ...t.env,
      DATABASE_REPLICA_HOSTS: data.postgresReplicas,
      REDIS_NODES: data.redisSeed,
    },
    existingSecret: { database: TARGET_SECRETS.database, redis: TARGET_SECRETS.redis },
    nodeSelector: placementFor(config, t.pool),
    serviceMonitor: { enabled: t.serviceMonitor },
  };
}
