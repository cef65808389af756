// lab/faults on data: the fault syntax and what each target refuses, the recovery judgement on
// recorded polls and series, the verdict's reading of the outcomes, and the reports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KIND_INFO, FAULT_KINDS, faultPlanProblems, FaultSpecError, parseFaultSpec, scenarioFaults, unsupportedProblem } from './kinds.ts';
import { faultFlags } from './flags.ts';
import { growth, judgeRecovery, outsideSegments, pushGaps, statWindows, throughput, type Point, type SlaWindowSeries } from './recovery.ts';
import type { FaultRecord } from './schedule.ts';
import { judgeFaults } from './verdict.ts';
import type { FaultOutcome } from './outcome.ts';
import { faultJunitCases, faultsMarkdown } from './report.ts';
import type { SlaResult } from '../analysis/slaJudgement.ts';
import { runVerdict } from '../analysis/verdict.ts';
import { RECOVERY_RULES } from '../sla/catalogue.ts';

test('KIND@OFFSET[+DURATION]: parsed, with the kind\'s duration rule; bad ones named', () => {
  assert.deepEqual(parseFaultSpec('pg-replica-kill@10s'), { kind: 'pg-replica-kill', at: '10s', atMs: 10_000, source: 'flag' });
  assert.deepEqual(parseFaultSpec('redis-node-pause@1m+15s', 'scenario'),
    { kind: 'redis-node-pause', at: '1m', atMs: 60_000, duration: '15s', durationMs: 15_000, source: 'scenario' });
  assert.throws(() => parseFaultSpec('pg-replica-kil@10s'), /"pg-replica-kil" is not a fault kind \(did you mean pg-replica-kill\?\); valid: pg-replica-kill, /);
  assert.throws(() => parseFaultSpec('pg-replica-kill'), /"pg-replica-kill" is not KIND@OFFSET\[\+DURATION\]/);
  assert.throws(() => parseFaultSpec('pg-replica-pause@10s'), /pg-replica-pause lasts a while: give its DURATION, e\.g\. pg-replica-pause@10s\+10s/);
  assert.throws(() => parseFaultSpec('pg-replica-kill@10s+5s'), /takes no DURATION; write pg-replica-kill@10s/);
  assert.throws(() => parseFaultSpec('runner-kill@ten'), /OFFSET "ten" is not a duration/);
  assert.throws(() => parseFaultSpec('pg-replica-pause@5s+500ms'), /DURATION "500ms" is shorter than 1s/);
  for (const kind of FAULT_KINDS) assert.ok(FAULT_KIND_INFO[kind].title, kind);
});

test('a scenario\'s options.ext.perflab.faults: strings or { kind, at, duration }', () => {
  assert.deepEqual(scenarioFaults(['target-restart@5s', { kind: 'pg-replica-pause', at: '10s', duration: '5s' }]).map((f) => [f.kind, f.atMs, f.durationMs, f.source]),
    [['target-restart', 5000, undefined, 'scenario'], ['pg-replica-pause', 10_000, 5000, 'scenario']]);
  assert.deepEqual(scenarioFaults(undefined), []);
  assert.throws(() => scenarioFaults('pg-replica-kill@1s'), /options\.ext\.perflab\.faults: must be a list/);
  assert.throws(() => scenarioFaults([{ kind: 'pg-replica-kill', when: '1s' }]), /faults\[0\]: unknown field when/);
});

test('--fault and --max-recovery: the default limit is the catalogue\'s 5 minutes', () => {
  assert.equal(faultFlags({}).maxRecoveryMs, RECOVERY_RULES.maxRecoveryMs);
  assert.equal(RECOVERY_RULES.maxRecoveryMs, 300_000);
  assert.match(RECOVERY_RULES.source, /Recovery Time: < 5 minutes/);
  assert.equal(faultFlags({ 'max-recovery': '90s', fault: ['runner-kill@5s'] }).maxRecoveryMs, 90_000);
  assert.throws(() => faultFlags({ 'max-recovery': 'soon' }), FaultSpecError);
});

test('what each target refuses, before anything starts, naming the kind and why', () => {
  const plan = (target: 'local' | 'cluster', texts: string[], extra: Partial<Parameters<typeof faultPlanProblems>[1]> = {}) =>
    faultPlanProblems(texts.map((t) => parseFaultSpec(t)), { target, parallelism: 2, runDurationMs: 60_000, baseUrl: false, ...extra });
  assert.match(plan('local', ['pg-primary-kill@10s'])[0]!, /pg-primary-kill@10s: pg-primary-kill is not supported on the local target: the local lab does not fail over its primary/);
  assert.match(plan('local', ['network-latency@10s+5s'])[0]!, /network-latency is not supported on the local target: .*no netem/);
  assert.match(plan('cluster', ['network-loss@10s+5s'])[0]!, /not supported on the cluster target: the cluster lab deploys no network fault tool/);
  assert.match(plan('cluster', ['prometheus-restart@10s'])[0]!, /port-forward/);
  assert.match(plan('cluster', ['pg-replica-pause@10s+5s'])[0]!, /cannot stop a container's processes/);
  assert.deepEqual(plan('cluster', ['pg-primary-kill@10s', 'pg-replica-kill@20s', 'redis-primary-kill@30s', 'target-restart@40s', 'runner-kill@50s']), []);
  assert.deepEqual(plan('local', ['pg-replica-kill@10s', 'pg-replica-pause@15s+5s', 'redis-primary-kill@20s', 'redis-node-pause@25s+5s',
    'target-restart@30s', 'prometheus-restart@40s', 'runner-kill@50s']), []);
  assert.match(plan('local', ['target-restart@70s'])[0]!, /at 70s is not within the run \(1m\)/);
  assert.match(plan('local', ['redis-node-pause@55s+10s'])[0]!, /would still last at 1m5s, after the run ends/);
  assert.match(plan('local', ['runner-kill@5s'], { parallelism: 1 })[0]!, /with one runner there would be nothing left to judge/);
  assert.match(plan('local', ['target-restart@5s'], { baseUrl: true })[0]!, /with --base-url the lab runs no target service/);
  assert.match(plan('local', ['runner-kill@5s', 'runner-kill@9s']).at(-1)!, /at most one per run/);
  assert.equal(unsupportedProblem(parseFaultSpec('runner-kill@1s'), 'cluster'), undefined);
});

// --- recovery, on recorded data ---

const T0 = 1_000_000;
const W = 10_000;

function record(over: Partial<FaultRecord> = {}): FaultRecord {
  return {
    spec: parseFaultSpec('pg-replica-kill@10s'), injected: true, injectedAtMs: T0, baselineFailing: [],
    polls: [
      { timeMs: T0 + 100, failing: [{ id: 'replication_streaming', detail: '1 of 2' }], excused: [], healed: false, healing: 'waiting' },
      { timeMs: T0 + 3000, failing: [], excused: [], healed: true, healing: 'restarted' },
      { timeMs: T0 + 13_000, failing: [], excused: [], healed: true, healing: 'restarted' },
    ],
    checksGreenAtMs: T0 + 3000, watchEndMs: T0 + 13_000, ...over,
  };
}

/** One SLA point a second from T0 - 15 s to T0 + 60 s: `p95(t)` in ms, 100 samples each. */
function p95Series(p95: (t: number) => number): SlaWindowSeries {
  const points = [];
  for (let t = T0 - 15_000; t <= T0 + 60_000; t += 1000) points.push({ timeMs: t, value: p95(t), samples: 100 });
  return { id: 'all_endpoints_p95', op: '<', threshold: 500, points };
}

/** A cumulative counter a second apart, growing by `rate(t)` each second. */
function counter(rate: (t: number) => number): Point[] {
  const points: Point[] = [];
  let total = 0;
  for (let t = T0 - 15_000; t <= T0 + 60_000; t += 1000) {
    total += rate(t);
    points.push({ timeMs: t, value: total });
  }
  return points;
}

const base = { expectedChecks: FAULT_KIND_INFO['pg-replica-kill'].expectedChecks, runStartMs: T0 - 15_000, runEndMs: T0 + 60_000, holdWindowMs: W, maxRecoveryMs: 300_000, gaps: [] };

test('recovery: lab checks green, then the first whole window in which the SLAs hold; impact and the error burst', () => {
  // each point is the SLA over the 10 s window ending there: windows ending before +18 s still hold slow requests
  const j = judgeRecovery({
    ...base, record: record(),
    slaSeries: [p95Series((t) => (t > T0 && t < T0 + 18_000 ? 900 : 20))],
    errors: counter((t) => (t > T0 + 1000 && t <= T0 + 4000 ? 5 : 0)),
    requests: counter(() => 200),
  });
  assert.equal(j.recovered, true);
  assert.equal(j.checksGreenAtMs! - T0, 3000);
  assert.equal(j.recoveredAtMs! - T0, 8000, 'the first window starting after the green checks whose SLAs hold: (8 s, 18 s]');
  assert.equal(j.slaWindow, 'held');
  assert.equal(j.impactAtMs! - T0, 100);
  assert.equal(j.impact, 'lab check replication_streaming failed');
  assert.equal(j.errors, 15);
  assert.deepEqual([j.errorWindow!.fromMs - T0, j.errorWindow!.toMs - T0], [1000, 4000]);
  assert.deepEqual(j.failedChecks, ['replication_streaming']);
  assert.deepEqual(j.unexpectedChecks, []);
  assert.deepEqual([j.window.fromMs - T0, j.window.toMs - T0], [0, 8000]);
});

test('recovery: checks never green within the limit, SLAs that never hold, and a run that ends first', () => {
  const never = judgeRecovery({
    ...base, maxRecoveryMs: 20_000,
    record: record({ checksGreenAtMs: undefined, polls: [{ timeMs: T0 + 20_000, failing: [{ id: 'redis_cluster_ok', detail: 'x' }], excused: [], healed: false, healing: 'redis-1 not yet a replica' }] }),
    slaSeries: [], errors: [], requests: [],
  });
  assert.equal(never.recovered, false);
  assert.match(never.notes[0]!, /not green again within 20 s of the injection \(at the end: redis_cluster_ok; redis-1 not yet a replica\)/);
  assert.deepEqual(never.unexpectedChecks, ['redis_cluster_ok']);

  const slow = judgeRecovery({ ...base, record: record(), slaSeries: [p95Series(() => 900)], errors: counter(() => 0), requests: counter(() => 200) });
  assert.equal(slow.recovered, false);
  assert.equal(slow.slaWindow, 'not-held');
  assert.match(slow.notes[0]!, /green again after 3 s, but the SLAs did not hold over any 10 s window .*all_endpoints_p95 900/);

  const short = judgeRecovery({ ...base, runEndMs: T0 + 8000, record: record(), slaSeries: [p95Series(() => 20)], errors: counter(() => 0), requests: counter(() => 200) });
  assert.equal(short.recovered, true);
  assert.equal(short.slaWindow, 'not-measured');
  assert.equal(short.recoveredAtMs! - T0, 3000, 'timed by the lab checks');
  assert.match(short.notes[0]!, /runners ended 5 s after the lab checks were green again/);
});

test('recovery: a window over lost pushes is never used, another fault\'s window ends the search', () => {
  const gaps = pushGaps([[T0 - 2000, T0 - 1000, T0, T0 + 7000, T0 + 8000], [T0, T0 + 1000, T0 + 2000]], 1000);
  assert.deepEqual(gaps, [{ fromMs: T0, toMs: T0 + 7000 }]);
  const j = judgeRecovery({ ...base, gaps, record: record({ checksGreenAtMs: T0 - 5000 }), slaSeries: [p95Series(() => 20)], errors: counter(() => 0), requests: counter(() => 200) });
  assert.equal(j.recoveredAtMs! - T0, 7000, 'the first whole window starts at the end of the gap');
  assert.match(j.notes.at(-1)!, /k6's pushes did not land for 7 s from \+0 s .*k6 does not retry/);
  assert.equal(growth(counter(() => 10), T0 + 1000, T0 + 3000, gaps), null, 'an end inside a gap is not whole');
  assert.equal(throughput(counter(() => 10), T0 + 8000, T0 + 10_000, gaps), 10);

  const other = judgeRecovery({
    ...base, others: [{ fromMs: T0 + 9000, toMs: T0 + 30_000 }], record: record(),
    slaSeries: [p95Series(() => 20)], errors: counter(() => 0), requests: counter(() => 200),
  });
  assert.equal(other.slaWindow, 'not-measured');
  assert.equal(other.recoveredAtMs! - T0, 3000);
  assert.match(other.notes[0]!, /another fault of the run came before a whole 10 s window/);
});

test('before / during / after windows, and the run outside the fault windows', () => {
  const w = statWindows({ injectedAtMs: T0, recoveredAtMs: T0 + 8000, windowEndMs: T0 + 8000, runStartMs: T0 - 4000, runEndMs: T0 + 12_000, holdWindowMs: W, pushIntervalMs: 1000 });
  assert.deepEqual([w.before!.fromMs - T0, w.before!.toMs - T0, w.during!.toMs - T0, w.after!.fromMs - T0, w.after!.toMs - T0], [-4000, 0, 8000, 8000, 12_000]);
  assert.equal(statWindows({ injectedAtMs: T0, recoveredAtMs: null, windowEndMs: T0 + 500, runStartMs: T0, runEndMs: T0 + 60_000, holdWindowMs: W, pushIntervalMs: 1000 }).before, null);
  assert.deepEqual(outsideSegments([{ fromMs: 10, toMs: 20 }, { fromMs: 15, toMs: 30 }, { fromMs: 50, toMs: 52 }], 0, 100, 5),
    [{ fromMs: 0, toMs: 10 }, { fromMs: 30, toMs: 50 }, { fromMs: 52, toMs: 100 }]);
});

// --- the verdict and the reports ---

function outcome(over: Partial<FaultOutcome>): FaultOutcome {
  return {
    kind: 'pg-replica-kill', at: '10s', duration: null, source: 'flag', target: 'postgres-replica-1', how: 'SIGKILL', injected: true, notInjected: null,
    injectedAt: '2026-12-01T10:00:10.000Z', liftedAfterMs: null, impactAfterMs: 100, impact: 'lab check replication_streaming failed',
    checksGreenAfterMs: 3000, recoveredAfterMs: 3000, recovered: true, maxRecoveryMs: 300_000, slaWindow: 'held', errors: 0, errorWindow: null,
    p95BeforeMs: 20, p95DuringMs: 30, p95AfterMs: 21, throughputBefore: 200, throughputDuring: 190, throughputAfter: 201,
    failedChecks: ['replication_streaming'], unexpectedChecks: [], healing: 'restarted', runner: null,
    window: { from: '2026-12-01T10:00:10.000Z', to: '2026-12-01T10:00:13.000Z' }, gaps: [], notes: [], ...over,
  };
}
const sla = (id: string, status: SlaResult['status'], value: number | null): SlaResult =>
  ({ id, title: id, value, threshold: 500, op: '<', unit: 'ms', status, samples: 100, source: 'test' });

test('the verdict: an unrecovered fault fails the run (exit 1) named, its expected end checks are not a lab failure', () => {
  const endCheck = { id: 'replication_streaming', title: 'x', phase: 'end' as const, ok: false, detail: '1 of 2 replicas streaming' };
  const unrecovered = outcome({ recovered: false, recoveredAfterMs: null, maxRecoveryMs: 10_000, notes: ['the lab checks were not green again within 10 s of the injection'] });
  const v = runVerdict({
    slas: [sla('api_p95', 'pass', 20)], soakChecks: [], labChecks: [endCheck], runners: [{ instance: 1, exitCode: 0 }], interrupted: false,
    faults: { outcomes: [unrecovered], slasOutside: [] },
  });
  assert.equal(v.kind, 'sla-failure');
  assert.equal(v.exitCode, 1);
  assert.deepEqual(v.reasons, ['fault pg-replica-kill@10s (postgres-replica-1) not recovered within 10 s (--max-recovery): the lab checks were not green again within 10 s of the injection']);
  // the same end check without a fault to explain it is a lab failure, as before
  assert.equal(runVerdict({ slas: [sla('api_p95', 'pass', 20)], soakChecks: [], labChecks: [endCheck], runners: [{ instance: 1, exitCode: 0 }], interrupted: false }).exitCode, 3);
  // a recovered fault: its checks are green again at the end; an end check still failing is a lab failure
  assert.equal(runVerdict({ slas: [sla('api_p95', 'pass', 20)], soakChecks: [], labChecks: [endCheck], runners: [{ instance: 1, exitCode: 0 }], interrupted: false,
    faults: { outcomes: [outcome({})], slasOutside: [] } }).exitCode, 3);
});

test('the verdict: runner-kill names the runner, the others are judged, partial; SLAs outside the fault windows', () => {
  const killed = outcome({ kind: 'runner-kill', target: 'k6 runner 2', runner: 2, failedChecks: [] });
  const f = judgeFaults({ outcomes: [killed], slasOutside: [] }, []);
  assert.deepEqual(f.killedRunners, [2]);
  assert.equal(f.partial, true);
  const v = runVerdict({
    slas: [sla('api_p95', 'fail', 800), sla('all_endpoints_p95', 'pass', 100)], soakChecks: [], labChecks: [], interrupted: false,
    runners: [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: null, detail: 'ended by SIGKILL' }],
    faults: { outcomes: [killed], slasOutside: [sla('api_p95', 'pass', 150), sla('all_endpoints_p95', 'fail', 600)] },
  });
  assert.equal(v.exitCode, 1);
  assert.deepEqual(v.reasons, ['all_endpoints_p95 failed outside the fault windows: 600 ms (target < 500 ms)'],
    'api_p95 fails over the whole run only: the faults\' impact, a warning; a crashed runner 2 would be a lab failure');
  assert.ok(v.warnings.some((w) => /runner 2 was killed by fault runner-kill@10s: the SLAs are judged on what the other runner\(s\) measured; the results are partial/.test(w)));
  assert.ok(v.warnings.some((w) => /api_p95 fails over the whole run \(800 ms, target < 500 ms\) but holds outside the fault windows \(150 ms\)/.test(w)));
  // a failed injection is a lab failure; a fault the run ended before, a warning
  const g = judgeFaults({ outcomes: [outcome({ injected: false, notInjected: 'the injection failed: no process named x' }), outcome({ injected: false, notInjected: 'the runners ended before its offset' })], slasOutside: [] }, []);
  assert.equal(g.labReasons.length, 1);
  assert.match(g.warnings[0]!, /was not injected: the runners ended before its offset/);
});

test('report.md\'s Faults section and junit cases', () => {
  const s = {
    slas: [sla('api_p95', 'fail', 800), sla('upload_1mb_p95', 'not-measured', null)],
    faults: [outcome({}), outcome({ kind: 'redis-node-pause', at: '20s', duration: '10s', recovered: false, recoveredAfterMs: null, notes: ['never green'] })],
    slasOutsideFaults: [sla('api_p95', 'pass', 150), sla('upload_1mb_p95', 'not-measured', null)],
  };
  const md = faultsMarkdown(s).join('\n');
  assert.match(md, /\| pg-replica-kill@10s \| postgres-replica-1 \| 10:00:10 UTC \| 0\.1 s \(lab check replication_streaming failed\) \| 3\.0 s \(limit 300\.0 s\) \| 0 \| 20\.0 \/ 30\.0 \/ 21\.0 ms \| 200 \/ 190 \/ 201 req\/s \| RECOVERED \|/);
  assert.match(md, /\| redis-node-pause@20s\+10s \| .* \| not within 300\.0 s \| .* \| NOT RECOVERED \|/);
  assert.match(md, /\| `api_p95` \| 800\.0 ms \| 150\.0 ms \| PASS \|/);
  assert.doesNotMatch(md, /upload_1mb_p95/, 'an SLA the run did not measure at all is not listed again');
  assert.deepEqual(faultJunitCases(s).map((c) => [c.name, c.outcome]), [['pg-replica-kill@10s', 'pass'], ['redis-node-pause@20s+10s', 'fail']]);
  assert.deepEqual(faultsMarkdown({ slas: [] }), []);
});
