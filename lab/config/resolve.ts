// Resolving a lab config: a profile's defaults, then the overrides of a config file, then
// validation. Pure: the file and the environment are read by load.ts.

import { profileDefaults, LAB_PROFILES } from './profiles.ts';
import type { LabConfig, LabProfileName } from './types.ts';
import { LabConfigError, validateLabConfig, type ConfigIssue } from './validate.ts';

/** Fields whose values are free-form maps (any key allowed). */
const OPEN_MAPS = new Set(['postgres.parameters', 'target.env']);
/** Fields that may be set although the defaults leave them out. */
const OPTIONAL_FIELDS = new Set(['postgres.storageClass']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Overlays `override` onto `base`; lists and scalars replace, objects merge. Unknown keys are issues. */
function overlay(base: unknown, override: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in base) && !OPEN_MAPS.has(path) && !OPTIONAL_FIELDS.has(at)) {
      issues.push({ path: at, message: `is not a lab config field; valid fields here: ${Object.keys(base).join(', ')}` });
      continue;
    }
    out[key] = OPEN_MAPS.has(at) && isPlainObject(value) ? { ...value } : overlay(base[key], value, at, issues);
  }
  return out;
}

export interface ResolveInput {
  /** profile asked for by the environment (LAB_PROFILE); a config file's `profile` wins. */
  profile?: string;
  /** the parsed config file (partial LabConfig), if any. */
  overrides?: unknown;
  /** names the source in error messages, e.g. the config file's path. */
  source?: string;
}

export function resolveLabConfig({ profile, overrides, source }: ResolveInput = {}): LabConfig {
  const issues: ConfigIssue[] = [];
  if (overrides !== undefined && !isPlainObject(overrides)) {
    throw new LabConfigError([{ path: '(root)', message: 'must be an object of lab config fields' }], source);
  }
  const chosen = (overrides?.profile as string | undefined) ?? profile ?? 'kind';
  if (!LAB_PROFILES.includes(chosen as LabProfileName)) {
    const field = overrides?.profile !== undefined ? 'profile' : 'LAB_PROFILE';
    throw new LabConfigError([{ path: field, message: `must be one of ${LAB_PROFILES.join(', ')}, got "${chosen}"` }], source);
  }
  const defaults = profileDefaults(chosen as LabProfileName);
  if (overrides && 'slas' in overrides) {
    issues.push({ path: 'slas', message: 'comes from lab/sla/catalogue.ts and cannot be set here (one place for every SLA number)' });
    const { slas: _ignored, ...rest } = overrides;
    void _ignored;
    overrides = rest;
  }
  const merged = overlay(defaults, overrides ?? {}, '', issues) as LabConfig;
  merged.slas = defaults.slas;
  issues.push(...validateLabConfig(merged));
  if (issues.length > 0) throw new LabConfigError(issues, source);
  return merged;
}
