// Kubernetes' DNS-1123 label: what namespaces, ConfigMap and TestRun names (and the jobs the
// k6-operator derives from them) must be. One rule, used wherever a name is checked.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_DNS_LABEL = 63;

export function isDnsLabel(name: string, maxLength: number = MAX_DNS_LABEL): boolean {
  return name.length <= maxLength && DNS_LABEL.test(name);
}
