import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDashboards } from './files.ts';
import { renderK6Dashboard } from './k6.ts';

test('the committed k6 dashboard is the one dashboards/k6.ts renders', () => {
  const committed = readDashboards().find((d) => d.file === 'k6-native-histograms.json');
  assert.ok(committed, 'dashboards/k6-native-histograms.json is missing');
  assert.equal(committed.json, renderK6Dashboard(), 'run: npx tsx dashboards/k6.ts --write');
});

test('every dashboard is JSON with a uid and title, and the k6 one reads native histograms by testid', () => {
  for (const { file, json } of readDashboards()) {
    const d = JSON.parse(json) as { uid?: string; title?: string };
    assert.ok(d.uid && d.title, `${file} needs uid and title`);
  }
  const k6 = JSON.parse(renderK6Dashboard()) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exprs = k6.panels.flatMap((p) => p.targets.map((t) => t.expr));
  assert.ok(exprs.some((e) => /histogram_quantile\(0\.95, sum\(rate\(k6_http_req_duration_seconds\{testid=~"\$testid"\}/.test(e)));
  assert.ok(exprs.every((e) => e.includes('testid=~"$testid"')), 'every panel filters by the selected run');
});
