// The lab's CDKTF app: four stacks, ordered so `cdktf deploy` applies them platform first and
// `cdktf destroy` removes them target first.

import type { App } from 'cdktf';
import type { LabConfig } from '../lab/config/types.ts';
import type { DashboardFile } from '../lab/cluster/manifests/dashboards.ts';
import { PlatformStack } from './platform.ts';
import { DataStack } from './data.ts';
import { ObservabilityStack } from './observability.ts';
import { TargetStack } from './target.ts';

export function buildLab(app: App, config: LabConfig, dashboards: readonly DashboardFile[]) {
  const platform = new PlatformStack(app, config);
  const data = new DataStack(app, config);
  const observability = new ObservabilityStack(app, config, dashboards);
  const target = new TargetStack(app, config);
  data.addDependency(platform);
  observability.addDependency(platform);
  target.addDependency(data);
  target.addDependency(observability);
  return { platform, data, observability, target };
}
