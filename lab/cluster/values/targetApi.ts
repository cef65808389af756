// Values for the target service's chart (charts/target-api, or whatever the config names):
// how the code arrives (target.delivery: the bundle's ConfigMap on the Node image, or the
// service's own image), replicas, placement, where the data services are, and which Secret keys
// hold the credentials (the chart turns them into DATABASE_PRIMARY_URL and REDIS_PASSWORD).

import type { LabConfig } from '../../config/types.ts';
import { dataEndpoints, TARGET_SECRETS, TARGET_SECRET_KEYS } from '../names.ts';
import { placementFor } from '../placement.ts';
import { targetImageRef } from '../images.ts';
import { buildTargetBundle, targetBundleName } from '../manifests/targetBundle.ts';
import { SOURCE_LABEL, targetImageSourceHash } from '../targetImage.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import { TARGET_NODE_FLAGS } from '../../../target/src/nodeFlags.ts';

/** The bundle the chart mounts (delivery bundle): its ConfigMap and sha256. */
export interface TargetBundleRef {
  configMap: string;
  sha256: string;
}

/** The chart's `delivery`, `image` and `bundle` values for the config's delivery. */
function delivery(config: LabConfig, bundle: TargetBundleRef | undefined) {
  const t = config.target;
  if (t.delivery === 'image') {
    const image = targetImageRef(config);
    // the tag stays while the code changes: the sources' hash (the label lab:up builds the image
    // with) in the pod template rolls the pods onto a rebuilt image
    const sourceHash = targetImageSourceHash(PROJECT_ROOT, `${t.nodeImage.repository}:${t.nodeImage.tag}`);
    return { delivery: 'image', image: { repository: image.repository, tag: image.tag }, podAnnotations: { [SOURCE_LABEL]: sourceHash } };
  }
  const ref = bundle ?? { configMap: targetBundleName(config), sha256: buildTargetBundle().sha256 };
  return {
    delivery: 'bundle',
    // the stock Node image; the chart runs `node <nodeFlags> /app/boot.mjs` on it
    image: { repository: t.nodeImage.repository, tag: t.nodeImage.tag },
    bundle: { configMap: ref.configMap, sha256: ref.sha256, nodeFlags: [...TARGET_NODE_FLAGS] },
  };
}

/** How far above the configured replicas the target's HPA may scale. */
export const HPA_HEADROOM = 3;

/**
 * `bundle`: the bundle's ConfigMap and sha256 as the target stack created them (delivery bundle;
 * default: built here, the same bytes).
 */
export function targetApiValues(config: LabConfig, bundle?: TargetBundleRef) {
  const t = config.target;
  const data = dataEndpoints(config);
  return {
    ...delivery(config, bundle),
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
