// Resolving a lab config: a profile's defaults, then the overrides of a config file, then its
// file paths made absolute, then validation. Pure given its input: the file and the environment
// are read by load.ts (only the path base falls back to this process's directory and $HOME).

import { profileDefaults, LAB_PROFILES } from './profiles.ts';
import type { LabConfig, LabProfileName } from './types.ts';
import { LabConfigError, validateLabConfig, type ConfigIssue } from './validate.ts';
import { pathBaseFromEnv, resolveConfigPath, type PathBase } from './configPaths.ts';
import { didYouMean } from './didYouMean.ts';

/** Fields whose values are free-form maps (any key allowed). */
const OPEN_MAPS = new Set(['postgres.parameters', 'target.env']);
/** Fields that may be set although the defaults leave them out. */
const OPTIONAL_FIELDS = new Set([
  'postgres.storageClass',
  'target.registry',
  'capacity.productionRps', 'capacity.productionUsers', 'capacity.nodeHourUsd',
  ...['kubePrometheusStack', 'k6Operator', 'cnpgOperator', 'cnpgCluster', 'redisOperator', 'redisCluster'].map((c) => `charts.${c}.caFile`),
]);

/** The optional fields directly under `path` ("postgres" -> ["storageClass"]). */
function optionalFieldsAt(path: string): string[] {
  const prefix = path ? `${path}.` : '';
  return [...OPTIONAL_FIELDS].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('.')).map((f) => f.slice(prefix.length));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Overlays `override` onto `base`; lists and scalars replace, objects merge. Unknown keys are issues. */
function overlay(base: unknown, override: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in base) && !OPEN_MAPS.has(path) && !OPTIONAL_FIELDS.has(at)) {
      // slas is the catalogue's (refused above), never a field to suggest
      const valid = [...Object.keys(base), ...optionalFieldsAt(path)].filter((f) => path !== '' || f !== 'slas');
      const guess = didYouMean(key, valid);
      issues.push({ path: at, message: `is not a lab config field; ${guess ? `did you mean ${guess}? ` : ''}valid fields here: ${valid.join(', ')}` });
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
  /** what relative paths and "~" in path fields mean; default: this process's directory and $HOME. */
  paths?: PathBase;
}

/**
 * Makes the config's file paths absolute (cluster.kubeconfig, charts.*.caFile): relative to the directory the user
 * ran from, "~/" expanded. The Terraform providers run in cdktf.out/stacks/<stack>/, so a relative
 * path handed on as it is would name another file there (or none, and they fall back to
 * localhost:80); resolving here means every reader agrees on one file.
 */
function resolvePaths(config: LabConfig, base: PathBase, issues: ConfigIssue[]): void {
  const resolve = (path: string, value: unknown, set: (absolute: string) => void) => {
    if (typeof value !== 'string' || value.trim() === '') return; // validate.ts names it
    const resolved = resolveConfigPath(value, base);
    if (resolved.problem !== undefined) issues.push({ path, message: resolved.problem });
    else set(resolved.path);
  };
  resolve('cluster.kubeconfig', config.cluster?.kubeconfig, (p) => { config.cluster.kubeconfig = p; });
  for (const [key, chart] of Object.entries(config.charts ?? {})) {
    if (chart?.caFile !== undefined) resolve(`charts.${key}.caFile`, chart.caFile, (p) => { chart.caFile = p; });
  }
}

export function resolveLabConfig({ profile, overrides, source, paths }: ResolveInput = {}): LabConfig {
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
  resolvePaths(merged, paths ?? pathBaseFromEnv(process.env), issues);
  issues.push(...validateLabConfig(merged));
  if (issues.length > 0) throw new LabConfigError(issues, source);
  return merged;
}
