// Terraform reads "${...}" and "%{...}" inside every string of a configuration as template syntax
// (interpolation and directives), also in the JSON cdktf writes. A Grafana dashboard's
// "${datasource}" handed on as it is fails the plan with "Invalid reference". Every user string
// the stacks hand to a provider (object metadata and data, Helm values, manifests) goes through
// `terraformLiteral` (LabStack does it, in one place), which writes "$${" and "%%{": Terraform reads
// them back as the literal "${" and "%{", so the value that reaches the cluster is the one we had.
//
// cdktf's own tokens ("${TfToken[TOKEN.n]}", e.g. a sensitive variable's value inside a Secret's
// postgres:// URL) are references we mean: they are kept, and only the text around them escaped.

const CDKTF_STRING_TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

// (a function replacement: in a replacement string "$$" would mean one "$")
const escapeText = (text: string) => text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');

/** `text` with Terraform's template sequences escaped, cdktf tokens left as they are. */
export function escapeTemplateSyntax(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(CDKTF_STRING_TOKEN)) {
    out += escapeText(text.slice(last, match.index)) + match[0];
    last = match.index! + match[0].length;
  }
  return out + escapeText(text.slice(last));
}

/** A copy of `value` with every string in it (map keys too) escaped; other values unchanged. */
export function terraformLiteral<T>(value: T): T {
  if (typeof value === 'string') return escapeTemplateSyntax(value) as T;
  if (Array.isArray(value)) return value.map((v) => terraformLiteral(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTemplateSyntax(k), terraformLiteral(v)])) as T;
}
