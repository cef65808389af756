// Values for kube-prometheus-stack: Prometheus with the remote-write receiver and native
// histograms (k6 writes its trends as native histograms), selectors open to every release's
// monitors and rules, Grafana's admin from a generated Secret and dashboards from labelled
// ConfigMaps, Alertmanager routing from lab/alerts, control-plane targets off where unreachable.

import type { LabConfig } from '../../config/types.ts';
import { alertmanagerConfig } from '../../alerts/alertmanager.ts';
import { GRAFANA_ADMIN_SECRET } from '../names.ts';
import { placementFor } from '../placement.ts';

/** Label and value the Grafana sidecar picks dashboards up by. */
export const DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

export function kubePrometheusStackValues(config: LabConfig) {
  const m = config.monitoring;
  const onPool = placementFor(config, m.pool);
  const controlPlaneOff = m.disableControlPlaneTargets;
  return {
    // Unreachable on kind (bound to 127.0.0.1 inside the node) and on managed clusters.
    kubeEtcd: { enabled: !controlPlaneOff },
    kubeControllerManager: { enabled: !controlPlaneOff },
    kubeScheduler: { enabled: !controlPlaneOff },
    kubeProxy: { enabled: !controlPlaneOff },
    defaultRules: {
      rules: {
        etcd: !controlPlaneOff,
        kubeControllerManager: !controlPlaneOff,
        kubeSchedulerAlerting: !controlPlaneOff,
        kubeSchedulerRecording: !controlPlaneOff,
        kubeProxy: !controlPlaneOff,
      },
    },
    prometheusOperator: { nodeSelector: onPool },
    'kube-state-metrics': { nodeSelector: onPool },
    prometheus: {
      prometheusSpec: {
        enableRemoteWriteReceiver: m.remoteWriteReceiver,
        // Prometheus 3.x before 3.8 ingests native histograms only with this flag; later ones ignore it.
        enableFeatures: ['native-histograms'],
        retention: m.retention,
        scrapeInterval: m.scrapeInterval,
        // Pick up every ServiceMonitor/PodMonitor/PrometheusRule/Probe/ScrapeConfig, not only this release's.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        resources: m.prometheusResources,
        nodeSelector: onPool,
        storageSpec: {
          volumeClaimTemplate: {
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: m.prometheusStorageSize } } },
          },
        },
      },
    },
    alertmanager: {
      config: alertmanagerConfig(m.alertRoutes),
      alertmanagerSpec: { nodeSelector: onPool },
    },
    grafana: {
      // The password never appears in values or state of this release: Grafana reads the Secret.
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      nodeSelector: onPool,
      sidecar: {
        dashboards: {
          enabled: true,
          label: Object.keys(DASHBOARD_LABEL)[0],
          labelValue: Object.values(DASHBOARD_LABEL)[0],
          searchNamespace: 'ALL',
          folderAnnotation: 'grafana_folder',
          provider: { foldersFromFilesStructure: true },
        },
      },
    },
  };
}
