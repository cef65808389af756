// Alertmanager's configuration (alertmanager.yml format) from the lab config's alert routes.
// The cluster gets it through kube-prometheus-stack's `alertmanager.config`; the local lab writes
// the same document to its alertmanager.yml.

import type { AlertRoute } from '../config/types.ts';

export interface AlertmanagerRoute {
  receiver: string;
  matchers?: string[];
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AlertmanagerRoute[];
}

export interface AlertmanagerReceiver {
  name: string;
  webhook_configs?: Array<{ url: string; send_resolved: boolean }>;
}

export interface AlertmanagerConfig {
  route: AlertmanagerRoute;
  receivers: AlertmanagerReceiver[];
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
}

/** Receiver of everything nobody routed: kept, visible in the UI, sent nowhere. */
export const CATCH_ALL_RECEIVER = 'null';

export function alertmanagerConfig(routes: readonly AlertRoute[]): AlertmanagerConfig {
  const receivers = new Map<string, AlertmanagerReceiver>([[CATCH_ALL_RECEIVER, { name: CATCH_ALL_RECEIVER }]]);
  for (const route of routes) {
    const receiver = receivers.get(route.receiver) ?? { name: route.receiver };
    if (route.webhookUrl) {
      receiver.webhook_configs = [...(receiver.webhook_configs ?? []), { url: route.webhookUrl, send_resolved: true }];
    }
    receivers.set(route.receiver, receiver);
  }
  return {
    route: {
      receiver: CATCH_ALL_RECEIVER,
      group_by: ['alertname', 'sla', 'testid'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // kube-prometheus-stack's always-firing heartbeat: not an incident.
        { receiver: CATCH_ALL_RECEIVER, matchers: ['alertname="Watchdog"'] },
        ...routes.map((r) => ({ receiver: r.receiver, matchers: [...r.matchers], continue: r.continue ?? false })),
      ],
    },
    receivers: [...receivers.values()],
    // A critical SLA alert (errors) makes the warning about the same test's latency noise.
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['testid'] }],
  };
}
