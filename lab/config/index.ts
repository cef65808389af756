// The lab config, typed and validated: import from here.
export type { LabConfig, ProfileName, AlertRoute, Resources, ImagePin } from './types.ts';
export { PROFILES, profileDefaults } from './profiles.ts';
export { resolveLabConfig } from './resolve.ts';
export { loadLabConfig } from './load.ts';
export { LabConfigError, validateLabConfig, type ConfigIssue } from './validate.ts';
