// The Kubernetes objects a synthesized stack creates directly (not through a Helm release), as the
// hashicorp/kubernetes provider would send them: its snake_case blocks turned back into the API's
// camelCase fields (labels, annotations, data, binary_data and match_labels keep their keys: they
// are user data), a Secret's `data` base64-encoded, a ConfigMap's `binary_data` as it is (base64
// already), a `kubernetes_manifest` as it is; and every string read as Terraform reads it (`$${`
// is a literal `${`, `%%{` a literal `%{`, `${var.NAME}` the variable's value). Pure; the stack
// tests validate these objects against the Kubernetes schema and apply them to a real API server
// (stacks/stacks.sim.test.ts).
//
// A resource type or attribute this mapping does not know is an error, not a silent drop: a stack
// that starts using one has to be mapped here before its tests pass.

/** A Kubernetes object as the API takes it. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

/** Each provider resource type the stacks use: its Kubernetes kind and the attributes it may carry. */
const RESOURCE_TYPES: Record<string, { apiVersion: string; kind: string; attributes: readonly string[] }> = {
  kubernetes_namespace_v1: { apiVersion: 'v1', kind: 'Namespace', attributes: ['metadata'] },
  kubernetes_secret_v1: { apiVersion: 'v1', kind: 'Secret', attributes: ['metadata', 'data', 'type'] },
  kubernetes_config_map_v1: { apiVersion: 'v1', kind: 'ConfigMap', attributes: ['metadata', 'data', 'binary_data'] },
  kubernetes_network_policy_v1: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', attributes: ['metadata', 'spec'] },
  kubernetes_manifest: { apiVersion: '(the manifest\'s)', kind: '(the manifest\'s)', attributes: ['manifest'] },
};

/** Terraform's meta-arguments and cdktf's comments: not part of the object. */
const META_ARGUMENTS = new Set(['depends_on', 'lifecycle', 'provider', 'count', 'for_each', '//']);

/** Keys whose maps are user data (label keys, file names): kept as written. */
const USER_MAPS = new Set(['labels', 'annotations', 'data', 'binary_data', 'match_labels']);

export class StackMappingError extends Error {}

/**
 * A string as Terraform evaluates it, for the only template forms the stacks write: `$${` and
 * `%%{` (escapes: a literal `${` / `%{`) and `${var.NAME}` (a variable's value). Any other
 * interpolation or a directive is an error: this is not a Terraform evaluator.
 */
export function terraformString(text: string, variables: Readonly<Record<string, string>>, at = ''): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (text.startsWith('%%{', i)) {
      out += '%{';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i);
      const reference = text.slice(i + 2, end < 0 ? undefined : end);
      const variable = /^var\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(reference)?.[1];
      if (end < 0 || variable === undefined) throw new StackMappingError(`${at}: \${${reference}} is not a variable reference (only \${var.NAME} is mapped)`);
      const value = variables[variable];
      if (value === undefined) throw new StackMappingError(`${at}: no value given for the variable ${variable}`);
      out += value;
      i = end + 1;
    } else if (text.startsWith('%{', i)) {
      throw new StackMappingError(`${at}: a template directive %{...} is not mapped`);
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A provider block as the API object it becomes: keys camelCased (not in user maps), strings evaluated. */
function toApi(value: unknown, variables: Readonly<Record<string, string>>, at: string, userKeys = false): unknown {
  if (typeof value === 'string') return terraformString(value, variables, at);
  if (Array.isArray(value)) return value.map((v, i) => toApi(v, variables, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== '//')
      .map(([k, v]) => {
        const key = userKeys ? terraformString(k, variables, at) : camel(k);
        return [key, toApi(v, variables, `${at}.${key}`, !userKeys && USER_MAPS.has(k))];
      }),
  );
}

/** The object one provider resource creates. */
export function kubernetesObjectOf(type: string, resource: Json, variables: Readonly<Record<string, string>>, at = type): KubernetesObject {
  const mapping = RESOURCE_TYPES[type];
  if (!mapping) throw new StackMappingError(`${at}: the resource type ${type} is not mapped to a Kubernetes object (stacks/kubernetesObjects.ts)`);
  const unknown = Object.keys(resource).filter((k) => !META_ARGUMENTS.has(k) && !mapping.attributes.includes(k));
  if (unknown.length > 0) throw new StackMappingError(`${at}: attribute(s) ${unknown.join(', ')} of ${type} are not mapped (stacks/kubernetesObjects.ts)`);
  if (type === 'kubernetes_manifest') {
    // already the API's shape; Terraform still evaluates its strings
    return toApi(resource.manifest, variables, `${at}.manifest`, false) as KubernetesObject;
  }
  const metadata = toApi(resource.metadata, variables, `${at}.metadata`) as KubernetesObject['metadata'];
  const object: KubernetesObject = { apiVersion: mapping.apiVersion, kind: mapping.kind, metadata };
  if (type === 'kubernetes_secret_v1') {
    // the provider takes plain text and sends it base64-encoded
    const data = toApi(resource.data ?? {}, variables, `${at}.data`, true) as Record<string, string>;
    object.type = resource.type ?? 'Opaque';
    object.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  } else if (type === 'kubernetes_config_map_v1') {
    object.data = toApi(resource.data ?? {}, variables, `${at}.data`, true);
    // base64 already, as the API takes it (the provider decodes and the client encodes again)
    if (resource.binary_data !== undefined) object.binaryData = toApi(resource.binary_data, variables, `${at}.binary_data`, true);
  } else if (resource.spec !== undefined) {
    object.spec = toApi(resource.spec, variables, `${at}.spec`);
  }
  return object;
}

/** Namespaces before what lives in them; raw manifests (custom resources, whose CRDs come first) last. */
const applyRank = (type: string, o: KubernetesObject) => (o.kind === 'Namespace' ? 0 : type === 'kubernetes_manifest' ? 2 : 1);

/**
 * Every Kubernetes object the synthesized stacks (in deploy order) create directly, in an order
 * they can be applied in: namespaces first, custom resources last, otherwise as the stacks list them.
 * `variables` gives each Terraform variable a value (the generated secrets; any text for a test).
 */
export function stackObjects(
  synthesized: ReadonlyArray<{ stack: string; json: Json }>,
  variables: Readonly<Record<string, string>>,
): KubernetesObject[] {
  const found: Array<{ rank: number; object: KubernetesObject }> = [];
  for (const { stack, json } of synthesized) {
    for (const [type, byId] of Object.entries((json.resource ?? {}) as Record<string, Record<string, Json>>)) {
      if (!type.startsWith('kubernetes_')) continue;
      for (const [id, resource] of Object.entries(byId)) {
        const object = kubernetesObjectOf(type, resource, variables, `${stack} ${type}.${id}`);
        found.push({ rank: applyRank(type, object), object });
      }
    }
  }
  // a stable sort: within a rank, the stacks' own order
  return found.sort((a, b) => a.rank - b.rank).map((f) => f.object);
}
