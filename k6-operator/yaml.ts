// `--dry-run`: the objects a run would apply, as one multi-document YAML (for review and GitOps).

import { stringify } from 'yaml';

export function renderYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
