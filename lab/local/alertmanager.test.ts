// The local Alertmanager: its config is the cluster's (lab/alerts), amtool accepts it, and an
// alert fired by the local Prometheus' rules arrives in it and stays readable through its API.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slaAlertRuleGroups } from '../alerts/slaRules.ts';
import { Supervisor } from '../process/supervisor.ts';
import { activeAlerts, startAlertmanager } from './alertmanager.ts';
import { startPrometheus } from './prometheus.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'perflab-alertmanager-'));
const supervisor = new Supervisor(stateDir);

after(async () => {
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
});

test('an alert from the local Prometheus reaches the local Alertmanager and stays readable', async () => {
  const alertmanager = await startAlertmanager({
    stateDir, supervisor, alertRoutes: [{ receiver: 'sla-team', matchers: ['source="perflab-sla"'] }],
  });
  const check = spawnSync('amtool', ['check-config', join(stateDir, 'alertmanager', 'alertmanager.yml')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  await alertmanager.waitReady();
  const prometheus = await startPrometheus({
    stateDir, supervisor, alertmanagerAddress: alertmanager.address, evaluationInterval: '1s',
    scrapeTargets: [{ job: 'alertmanager', address: alertmanager.address }],
    ruleGroups: [
      ...slaAlertRuleGroups(),
      // `for` outlasts Prometheus' 5-second Alertmanager discovery: an alert that fires before
      // Prometheus knows its Alertmanager is only re-sent after the 1-minute resend delay.
      { name: 'lab-test', rules: [{ alert: 'LabTestAlwaysFiring', expr: 'vector(1)', for: '8s', labels: { source: 'perflab-sla', sla: 'test' } }] },
    ],
  });
  await prometheus.waitReady(20_000);
  const deadline = Date.now() + 25_000;
  let alerts: Awaited<ReturnType<typeof activeAlerts>> = [];
  while (Date.now() < deadline) {
    alerts = await activeAlerts(alertmanager.url);
    if (alerts.some((a) => a.labels.alertname === 'LabTestAlwaysFiring')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const fired = alerts.find((a) => a.labels.alertname === 'LabTestAlwaysFiring');
  assert.ok(fired, `alert not in Alertmanager; it holds ${JSON.stringify(alerts.map((a) => a.labels.alertname))}`);
  assert.equal(fired.status.state, 'active');
  // the SLA rules were loaded next to it (no k6 data: none of them fires)
  const rules = await (await fetch(`${prometheus.url}/api/v1/rules`)).json() as { data: { groups: Array<{ name: string; rules: unknown[] }> } };
  const sla = rules.data.groups.find((g) => g.name === slaAlertRuleGroups()[0]!.name);
  assert.ok(sla && sla.rules.length === slaAlertRuleGroups()[0]!.rules.length);
  assert.ok(!alerts.some((a) => a.labels.alertname?.startsWith('Sla')), 'an SLA alert fired without any k6 data');
});

test('Alertmanager does not open a cluster listener', () => {
  const proc = supervisor.processes.find((p) => p.name === 'alertmanager');
  assert.ok(proc);
  const ss = spawnSync('ss', ['-ltnp'], { encoding: 'utf8' });
  if (ss.status !== 0) return; // no ss on this machine: nothing to look at
  const own = ss.stdout.split('\n').filter((l) => l.includes(`pid=${proc.pid},`));
  assert.equal(own.length, 1, `alertmanager listens on more than its web port:\n${own.join('\n')}`);
});
