// target: the service under test, from the chart and image the config names.

import type { Construct } from 'constructs';
import type { LabConfig } from '../lab/config/types.ts';
import { targetApiValues } from '../lab/cluster/values/targetApi.ts';
import { LabStack } from './labStack.ts';

export class TargetStack extends LabStack {
  constructor(scope: Construct, config: LabConfig) {
    super(scope, 'target', config);
    const t = config.target;
    this.release(t.releaseName, { path: t.chartPath }, config.namespaces.app, targetApiValues(config), undefined, 600);
  }
}
