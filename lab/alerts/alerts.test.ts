import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVICE_SLAS, SLA_CATALOGUE } from '../sla/catalogue.ts';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { alertmanagerConfig } from './alertmanager.ts';
import { slaAlertRuleGroups, slaRulesFile, SLA_ALERT_SOURCE } from './slaRules.ts';

test('one alert per service SLA, with the SLA threshold from the catalogue and a routable label', () => {
  const [group] = slaAlertRuleGroups();
  assert.equal(group!.rules.length, SERVICE_SLAS.length);
  const names = new Set(group!.rules.map((r) => r.alert));
  assert.equal(names.size, SERVICE_SLAS.length, 'alert names are unique');
  // a test type's criteria (stress) hold for its runs only, never as a standing alert
  const testTypeOnly: string[] = SLA_CATALOGUE.filter((s) => !SERVICE_SLAS.includes(s)).map((s) => s.id);
  assert.deepEqual(testTypeOnly, ['stress_p95', 'stress_error_rate']);
  assert.deepEqual(slaAlertRuleGroups({ slas: SLA_CATALOGUE })[0]!.rules.filter((r) => testTypeOnly.includes(r.labels.sla!)), []);
  for (const sla of SERVICE_SLAS) {
    const rule = group!.rules.find((r) => r.labels.sla === sla.id);
    assert.ok(rule, `no alert for ${sla.id}`);
    assert.equal(rule.labels.source, SLA_ALERT_SOURCE.source);
    const breach = sla.op === '<' ? '>=' : '<=';
    assert.ok(rule.expr.endsWith(`${breach} ${sla.threshold}`), `${sla.id}: ${rule.expr}`);
    assert.match(rule.annotations.source!, /Guidelines|Request/);
  }
  const api = group!.rules.find((r) => r.labels.sla === 'api_p95')!;
  assert.match(api.expr, /endpoint="api"/);
  assert.match(api.expr, /\[5m\]/);
  assert.match(slaAlertRuleGroups({ window: '10m' })[0]!.rules[0]!.expr, /\[10m\]/);
});

const promtool = LOCAL_LAB_BINARIES.promtool.path;
test('the SLA rules file passes promtool check rules (real promtool)', { skip: !existsSync(promtool) && 'promtool not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  const file = join(dir, 'sla.rules.yml');
  writeFileSync(file, stringify(slaRulesFile()));
  const out = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout, new RegExp(`${SERVICE_SLAS.length} rules found`));
});

test('alertmanager routes: catch-all null receiver, Watchdog silenced, each configured route with its webhook', () => {
  const config = alertmanagerConfig([
    { receiver: 'sla-violations', matchers: ['source="perflab-sla"'], webhookUrl: 'http://127.0.0.1:9999/hook' },
    { receiver: 'pager', matchers: ['severity="critical"'], continue: true },
  ]);
  assert.equal(config.route.receiver, 'null');
  assert.deepEqual(config.route.routes![0], { receiver: 'null', matchers: ['alertname="Watchdog"'] });
  assert.deepEqual(config.route.routes![1], { receiver: 'sla-violations', matchers: ['source="perflab-sla"'], continue: false });
  assert.equal(config.route.routes![2]!.continue, true);
  assert.deepEqual(config.receivers.map((r) => r.name), ['null', 'sla-violations', 'pager']);
  assert.equal(config.receivers[1]!.webhook_configs![0]!.url, 'http://127.0.0.1:9999/hook');
});

const amtool = '/usr/bin/amtool';
test('the Alertmanager config passes amtool check-config (real amtool)', { skip: !existsSync(amtool) && 'amtool not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'am-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(alertmanagerConfig([{ receiver: 'sla', matchers: ['source="perflab-sla"'], webhookUrl: 'http://127.0.0.1:1/x' }])));
  const out = spawnSync(amtool, ['check-config', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stdout + out.stderr);
  // a broken config must fail the same check, or the test above proves nothing
  writeFileSync(file, stringify({ route: { receiver: 'missing' }, receivers: [] }));
  assert.notEqual(spawnSync(amtool, ['check-config', file], { encoding: 'utf8' }).status, 0);
});
