// The Kubernetes objects the stacks create directly, as plain Kubernetes-shaped data (the
// shape kubectl and the API server know). Stacks map them onto provider resources; tests
// validate them against the Kubernetes schema.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface NamespaceObject {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  stringData: Record<string, string>;
}

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
  /** file name -> base64 of its bytes (the API's binaryData; the provider takes it base64 too). */
  binaryData?: Record<string, string>;
}

export interface NetworkPolicyObject {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: Array<'Ingress' | 'Egress'>;
    ingress: Array<{ from: Array<{ namespaceSelector: { matchLabels: Record<string, string> } }> }>;
  };
}

/** Label every object the lab creates, so `kubectl get -l` finds them all. */
export const LAB_LABELS = { 'app.kubernetes.io/part-of': 'perflab' } as const;
