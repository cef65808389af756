// A kubeconfig for one identity of the simulated cluster (pure). Certificates and key are embedded
// (`*-data`), so the file works wherever it is copied and needs no other file of the state folder.

import YAML from 'yaml';

/** The context (and cluster) name of the simulated cluster in every kubeconfig it writes. */
export const SIM_CONTEXT = 'perflab-sim';

export interface KubeconfigInput {
  /** https://127.0.0.1:<port> */
  server: string;
  caPem: string;
  /** the user entry's name, e.g. "perflab-sim-admin" */
  user: string;
  certPem: string;
  keyPem: string;
  context?: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

export function kubeconfigYaml(input: KubeconfigInput): string {
  const context = input.context ?? SIM_CONTEXT;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } }],
    users: [{ name: input.user, user: { 'client-certificate-data': b64(input.certPem), 'client-key-data': b64(input.keyPem) } }],
    contexts: [{ name: context, context: { cluster: context, user: input.user } }],
    'current-context': context,
    preferences: {},
  });
}
