// The lab config, typed and validated: import from here.
export type { LabConfig, LabProfileName, AlertRoute, Resources, ImagePin, NodeSize, ChartSource } from './types.ts';
export { LAB_PROFILES, profileDefaults, SIM_CONTEXT, SIM_KUBECONFIG } from './profiles.ts';
export { resolveLabConfig } from './resolve.ts';
export { loadLabConfig } from './load.ts';
export { LabConfigError, validateLabConfig, type ConfigIssue } from './validate.ts';
