// target: the service under test, from the chart the config names. Delivery bundle (the
// default): first the ConfigMap holding the service's bundle (lab/cluster/manifests/targetBundle.ts,
// built here at synth), then the release that mounts it on the stock Node image. Delivery image:
// the release alone, on the service's own image (lab:up builds and loads it on kind).

import type { Construct } from 'constructs';
import type { LabConfig } from '../lab/config/types.ts';
import { targetApiValues } from '../lab/cluster/values/targetApi.ts';
import { buildTargetBundle, targetBundleConfigMap } from '../lab/cluster/manifests/targetBundle.ts';
import { LabStack } from './labStack.ts';

export class TargetStack extends LabStack {
  constructor(scope: Construct, config: LabConfig) {
    super(scope, 'target', config);
    const t = config.target;
    if (t.delivery === 'bundle') {
      const bundle = buildTargetBundle();
      const object = targetBundleConfigMap(config, bundle);
      const configMap = this.configMap(object);
      const values = targetApiValues(config, { configMap: object.metadata.name, sha256: bundle.sha256 });
      this.release(t.releaseName, { path: t.chartPath }, config.namespaces.app, values, [configMap], 600);
    } else {
      this.release(t.releaseName, { path: t.chartPath }, config.namespaces.app, targetApiValues(config), undefined, 600);
    }
  }
}
