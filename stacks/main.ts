// Entry point of `cdktf synth|deploy|destroy` (cdktf.json: "npx tsx stacks/main.ts").
// The config comes from LAB_PROFILE / LAB_CONFIG; an invalid one stops here, before anything is
// synthesized, with every bad field named.

import { App } from 'cdktf';
import { loadLabConfig, LabConfigError } from '../lab/config/index.ts';
import { readDashboards } from '../dashboards/files.ts';
import { buildLab } from './app.ts';

try {
  const config = loadLabConfig();
  const app = new App();
  buildLab(app, config, readDashboards());
  app.synth();
} catch (error) {
  if (error instanceof LabConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
