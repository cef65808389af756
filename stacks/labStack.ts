// What every lab stack shares: its own local state file (relative path, so nothing of this
// machine lands in the synthesized JSON), the kubernetes and helm providers on the configured
// kubeconfig context, and the mapping of plain Kubernetes objects onto provider resources. Every
// resource a stack creates is made here, and every user string in it goes through
// terraformLiteral (Terraform would read "${...}" in a dashboard as interpolation).

import { homedir } from 'node:os';
import { isAbsolute, relative, sep } from 'node:path';
import { Construct } from 'constructs';
import { LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1/index.js';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider/index.js';
import { Release } from '@cdktf/provider-helm/lib/release/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { stringify } from 'yaml';
import type { ITerraformDependable } from 'cdktf';
import type { ChartSource, LabConfig } from '../lab/config/types.ts';
import { STACK_ORDER, type LabStackName } from '../lab/cluster/cdktf.ts';
import { STATE_DIR } from '../lab/cluster/labState.ts';
import { PROJECT_ROOT } from '../lab/paths.ts';
import { escapeTemplateSyntax, terraformLiteral } from './terraformLiteral.ts';
import type {
  ConfigMapObject,
  NamespaceObject,
  NetworkPolicyObject,
  SecretObject,
} from '../lab/cluster/manifests/types.ts';

/** The stacks, in deployment order: one list, shared with the lifecycle that deploys them. */
export const STACK_NAMES = STACK_ORDER;
export type StackName = LabStackName;

/** A repository path as seen from the stack's working directory, cdktf.out/stacks/<name>/. */
export const fromStackDir = (repoPath: string) => `../../../${repoPath.replace(/^\.\//, '')}`;

/** State lives in .lab/state/ at the repository root, relative to cdktf.out/stacks/<name>/. */
export const statePath = (name: StackName) => fromStackDir(`${STATE_DIR}/${name}.tfstate`);

/**
 * An absolute file path (the loaded config holds only those) as the providers should get it: they
 * run in cdktf.out/stacks/<name>/, and the synthesized JSON stays free of this machine's paths
 * wherever the file allows it. Inside the repository: relative to the stack's directory, as the
 * state and chart paths are. Under the user's home: "~/...", which both providers expand
 * themselves (they run as this user). Elsewhere: absolute, the only way to name that file.
 */
export function providerPath(path: string, where: { root: string; home?: string }): string {
  const inside = (dir: string | undefined) => {
    if (!dir) return undefined;
    const rel = relative(dir, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
  };
  const inRepo = inside(where.root);
  if (inRepo !== undefined) return fromStackDir(inRepo);
  const inHome = inside(where.home);
  if (inHome !== undefined) return `~/${inHome}`;
  return path;
}

const portable = (path: string) => providerPath(path, { root: PROJECT_ROOT, home: homedir() });

/** Terraform variables the stacks read secrets from (TF_VAR_<name>, set by lab-up). */
export const SECRET_VARIABLES = {
  grafanaAdminPassword: 'grafana_admin_password',
  postgresOwnerPassword: 'postgres_owner_password',
  redisPassword: 'redis_password',
} as const;

export class LabStack extends TerraformStack {
  constructor(scope: Construct, readonly name: StackName, readonly config: LabConfig) {
    super(scope, name);
    new LocalBackend(this, { path: statePath(name) });
    const cluster = { configPath: portable(config.cluster.kubeconfig), configContext: config.cluster.context };
    new KubernetesProvider(this, 'kubernetes', cluster);
    new HelmProvider(this, 'helm', { kubernetes: cluster });
  }

  /** A sensitive variable: its value is given at deploy time and never synthesized. */
  secretVariable(name: string, description: string): string {
    return new TerraformVariable(this, name, { type: 'string', sensitive: true, nullable: false, description }).stringValue;
  }

  namespace(object: NamespaceObject): NamespaceV1 {
    return new NamespaceV1(this, `namespace-${object.metadata.name}`, { metadata: terraformLiteral(object.metadata) });
  }

  secret(object: SecretObject, dependsOn?: ITerraformDependable[]): SecretV1 {
    return new SecretV1(this, `secret-${object.metadata.namespace}-${object.metadata.name}`, {
      metadata: terraformLiteral(object.metadata),
      type: object.type,
      // the provider base64-encodes `data` itself; variable references (cdktf tokens) stay references
      data: terraformLiteral(object.stringData),
      dependsOn,
    });
  }

  configMap(object: ConfigMapObject, dependsOn?: ITerraformDependable[]): ConfigMapV1 {
    return new ConfigMapV1(this, `configmap-${object.metadata.name}`, {
      metadata: terraformLiteral(object.metadata),
      data: terraformLiteral(object.data),
      // base64 (the provider decodes it before sending): its alphabet has no "$" or "%", so it is
      // handed on untouched; only the keys (file names) are escaped like every user string
      ...(object.binaryData
        ? { binaryData: Object.fromEntries(Object.entries(object.binaryData).map(([file, base64]) => [escapeTemplateSyntax(file), base64])) }
        : {}),
      dependsOn,
    });
  }

  networkPolicy(object: NetworkPolicyObject): NetworkPolicyV1 {
    return new NetworkPolicyV1(this, `networkpolicy-${object.metadata.name}`, { metadata: terraformLiteral(object.metadata), spec: terraformLiteral(object.spec) });
  }

  /** A raw manifest (its CRD must exist when the stack is planned: see DESIGN.md). */
  manifest(id: string, object: { apiVersion: string; kind: string; metadata: { name: string } }): Manifest {
    return new Manifest(this, id, { manifest: terraformLiteral(object) as unknown as Record<string, unknown> });
  }

  /**
   * A Helm release: a pinned chart from its repository, or a chart in this repository
   * (`{ path }`, relative to the root); values as one YAML document.
   */
  release(id: string, chart: ChartSource | { path: string }, namespace: string, values: object, dependsOn?: ITerraformDependable[], timeout = 900): Release {
    const source = 'path' in chart
      ? { chart: fromStackDir(chart.path) }
      : {
        repository: chart.repository,
        chart: chart.chart,
        version: chart.version,
        // a mirror's private CA (https:// only; validate.ts)
        ...(chart.caFile ? { repositoryCaFile: portable(chart.caFile) } : {}),
      };
    return new Release(this, id, {
      ...terraformLiteral({ name: id, ...source, namespace, values: [stringify(values)] }),
      wait: true,
      timeout,
      // A re-run must recover from a failed install. With helm provider 3.1.1 a failed install
      // leaves a release in status `failed` on the cluster that Terraform's state does not record
      // (Create returns the error without saving state: hashicorp/terraform-provider-helm#1665,
      // the fix #1838 is unmerged), so the next apply installs again and Helm answers "cannot
      // re-use a name that is still in use". `replace` lets that install reuse a name whose last
      // revision is failed or uninstalled (Helm's Install.availableName) and adopts the objects the
      // failed attempt left, which stay in place until then for `kubectl describe`. Not `atomic`:
      // it frees the name too, but uninstalls at once, taking the failed pods and events (and a
      // CloudNativePG Cluster's volumes) that explain the failure, after waiting for them again.
      // Not `upgrade_install`: it would also silently take over a deployed release Terraform never
      // made. A release left `pending-install` by a killed apply is covered by none: docs/cluster.md.
      replace: true,
      // On a failed upgrade, delete what that upgrade created, so the next one starts from the last good revision.
      cleanupOnFail: true,
      dependsOn,
    });
  }
}
