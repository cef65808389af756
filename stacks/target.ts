// target: the service under test, from the chart and image the config names.

import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release/index.js';
import { stringify } from 'yaml';
import type { LabConfig } from '../lab/config/types.ts';
import { targetApiValues } from '../lab/cluster/values/targetApi.ts';
import { fromStackDir, LabStack } from './labStack.ts';

export class TargetStack extends LabStack {
  constructor(scope: Construct, config: LabConfig) {
    super(scope, 'target', config);
    const t = config.target;
    new Release(this, t.releaseName, {
      name: t.releaseName,
      chart: fromStackDir(t.chartPath),
      namespace: config.namespaces.app,
      values: [stringify(targetApiValues(config))],
      wait: true,
      timeout: 600,
    });
  }
}
