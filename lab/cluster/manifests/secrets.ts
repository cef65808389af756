// Secrets the stacks create. Values come in as arguments (Terraform variable references at
// synth time), so no secret is ever written into the synthesized JSON.

import type { LabConfig } from '../../config/types.ts';
import { dataEndpoints, GRAFANA_ADMIN_SECRET, postgresOwnerSecret, redisPasswordSecret, TARGET_SECRETS, TARGET_SECRET_KEYS } from '../names.ts';
import { LAB_LABELS, type SecretObject } from './types.ts';

function secret(name: string, namespace: string, stringData: Record<string, string>, type = 'Opaque'): SecretObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { ...LAB_LABELS } }, type, stringData };
}

export function grafanaAdminSecret(config: LabConfig, password: string): SecretObject {
  return secret(GRAFANA_ADMIN_SECRET, config.namespaces.monitoring, {
    'admin-user': config.monitoring.grafanaAdminUser,
    'admin-password': password,
  });
}

export interface DataPasswords {
  postgresOwner: string;
  redis: string;
}

/** Passwords must be URL-safe (lab-up generates base64url), they go into a postgres:// URL as is. */
export function dataSecrets(config: LabConfig, passwords: DataPasswords): SecretObject[] {
  const pg = config.postgres;
  const data = dataEndpoints(config);
  return [
    secret(postgresOwnerSecret(config), config.namespaces.data, { username: pg.owner, password: passwords.postgresOwner }, 'kubernetes.io/basic-auth'),
    secret(redisPasswordSecret(config), config.namespaces.data, { password: passwords.redis }),
    secret(TARGET_SECRETS.database, config.namespaces.app, {
      [TARGET_SECRET_KEYS.databasePrimaryUrl]: `postgres://${pg.owner}:${passwords.postgresOwner}@${data.postgresPrimary}/${pg.database}`,
    }),
    secret(TARGET_SECRETS.redis, config.namespaces.app, { [TARGET_SECRET_KEYS.redisPassword]: passwords.redis }),
  ];
}
