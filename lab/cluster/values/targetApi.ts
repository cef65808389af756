// Values for the target service's chart (charts/target-api, or whatever the config names):
// image, replicas, placement, where the data services are, and which Secret keys hold the
// credentials (the chart turns them into DATABASE_PRIMARY_URL and REDIS_PASSWORD).

import type { LabConfig } from '../../config/types.ts';
import { dataEndpoints, TARGET_SECRETS, TARGET_SECRET_KEYS } from '../names.ts';
import { placementFor } from '../placement.ts';

/** How far above the configured replicas the target's HPA may scale. */
export const HPA_HEADROOM = 3;

export function targetApiValues(config: LabConfig) {
  const t = config.target;
  const data = dataEndpoints(config);
  return {
    image: { repository: t.image.repository, tag: t.image.tag },
    replicaCount: t.replicas,
    // the chart's HPA owns the replica count: the configured replicas are its floor, and it may
    // scale to three times that under load (the spike test watches X-Pod-Name for it)
    autoscaling: { minReplicas: t.replicas, maxReplicas: t.replicas * HPA_HEADROOM },
    resources: t.resources,
    env: t.env,
    database: {
      existingSecret: TARGET_SECRETS.database,
      primaryUrlKey: TARGET_SECRET_KEYS.databasePrimaryUrl,
      // the read replicas share the primary's credentials (CloudNativePG's -ro service)
      replicaHosts: data.postgresReplicas,
    },
    redis: {
      nodes: data.redisSeed,
      existingSecret: TARGET_SECRETS.redis,
      passwordKey: TARGET_SECRET_KEYS.redisPassword,
    },
    nodeSelector: placementFor(config, t.pool),
    serviceMonitor: { enabled: t.serviceMonitor },
  };
}
