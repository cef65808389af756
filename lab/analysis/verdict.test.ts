import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slaById } from '../sla/catalogue.ts';
import { EXIT_CODES } from '../exitCodes.ts';
import { judgeSla } from './slaJudgement.ts';
import { degradationCheck } from './soakChecks.ts';
import { runVerdict, type VerdictInput, type LabCheck } from './verdict.ts';
import type { ThresholdResult } from './thresholds.ts';

const api = slaById('api_p95');
const upload = slaById('upload_10mb_p95');
const passing = judgeSla(api, { value: api.threshold / 2, samples: 100 });
const failing = judgeSla(api, { value: api.threshold * 2, samples: 100 });
const unmeasured = judgeSla(upload, {});
const labOk: LabCheck = { id: 'replication_streaming', title: 'replicas streaming', phase: 'end', ok: true, detail: '2 of 2' };
const twoRunners = [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: 0 }];

function input(overrides: Partial<VerdictInput>): VerdictInput {
  return { slas: [passing, unmeasured], soakChecks: [], labChecks: [labOk], runners: twoRunners, interrupted: false, ...overrides };
}

test('all measured SLAs pass, runners exit 0, lab ok: pass, exit 0, not-measured only warned', () => {
  const v = runVerdict(input({}));
  assert.equal(v.kind, 'pass');
  assert.equal(v.exitCode, EXIT_CODES.pass);
  assert.deepEqual(v.reasons, []);
  assert.match(v.warnings.join('\n'), /not measured in this run: upload_10mb_p95/);
});

test('a failing SLA is an SLA failure naming the SLA, its value and its target', () => {
  const v = runVerdict(input({ slas: [failing, unmeasured] }));
  assert.equal(v.kind, 'sla-failure');
  assert.equal(v.exitCode, EXIT_CODES.slaFailure);
  assert.match(v.reasons[0]!, /^api_p95 failed: 400\.0 ms \(target < 200\.0 ms\)/);
});

test('a runner that failed its thresholds on its own slice (99) is reported, not the verdict: thresholds are judged across all runners', () => {
  const v = runVerdict(input({ runners: [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: 99 }] }));
  assert.equal(v.exitCode, EXIT_CODES.pass);
  assert.match(v.warnings.join('\n'), /runner 2 failed its k6 thresholds \(exit 99\) on its own slice; thresholds are judged across all runners/);
});

const threshold = (status: ThresholdResult['status'], value: number | null): ThresholdResult =>
  ({ metric: 'iterations', expression: 'count<80', value, unit: '', status, samples: value, abortOnFail: false });

test('a threshold failed across all runners fails the run (exit 1), named with its value; one not measured is a warning', () => {
  const failed = runVerdict(input({ thresholds: [threshold('fail', 100)] }));
  assert.equal(failed.exitCode, EXIT_CODES.slaFailure);
  assert.match(failed.reasons.join('\n'), /threshold iterations: count<80 failed across all runners \(100\)/);
  const unmeasured = runVerdict(input({ thresholds: [threshold('not-measured', null)] }));
  assert.equal(unmeasured.exitCode, EXIT_CODES.pass);
  assert.match(unmeasured.warnings.join('\n'), /thresholds not measured \(no samples\): iterations: count<80/);
  // a run whose only measurements are its own thresholds measured something
  const onlyThresholds = runVerdict(input({ slas: [judgeSla(upload, {})], thresholds: [threshold('pass', 50)] }));
  assert.equal(onlyThresholds.kind, 'pass');
});

test('stopped by a threshold (abortOnFail): an SLA failure naming it, partial; the runners it stopped are not a lab failure', () => {
  const v = runVerdict(input({
    runners: [{ instance: 1, exitCode: 105 }, { instance: 2, exitCode: null }],
    abortedBy: { metric: 'http_req_duration', expression: 'p(95)<300', value: 812.34, unit: 'ms', afterMs: 42_000 },
  }));
  assert.equal(v.kind, 'sla-failure');
  assert.equal(v.exitCode, EXIT_CODES.slaFailure);
  assert.match(v.reasons[0]!, /^aborted after 42 s by threshold http_req_duration: p\(95\)<300 \(abortOnFail\), failed across all runners \(812\.3 ms\)/);
});

test('a crashed runner or a failed lab check is a lab failure, and outranks an SLA failure', () => {
  const crashed = runVerdict(input({ slas: [failing], runners: [{ instance: 1, exitCode: 107 }, { instance: 2, exitCode: 0 }] }));
  assert.equal(crashed.kind, 'lab-failure');
  assert.equal(crashed.exitCode, EXIT_CODES.labFailure);
  // a script exception outranks a sibling runner's failed thresholds, whatever their order
  const both = runVerdict(input({ runners: [{ instance: 1, exitCode: 99 }, { instance: 2, exitCode: 107 }] }));
  assert.equal(both.exitCode, EXIT_CODES.labFailure);
  assert.match(both.reasons[0]!, /runner 2 hit a script exception \(exit 107\)/);
  // a runner that never ended counts, with what the target knows about it
  const stuck = runVerdict(input({ runners: [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: null, detail: 'no runner pod found' }] }));
  assert.equal(stuck.exitCode, EXIT_CODES.labFailure);
  assert.match(stuck.reasons.join('\n'), /runner 2 did not exit normally \(no exit code\): no runner pod found/);
  const broken = runVerdict(input({ labChecks: [{ ...labOk, ok: false, detail: '1 of 2 streaming' }] }));
  assert.equal(broken.exitCode, EXIT_CODES.labFailure);
  assert.match(broken.reasons[0]!, /replication_streaming failed at the end: 1 of 2 streaming/);
});

test('nothing measured at all is a lab failure, not a pass', () => {
  const v = runVerdict(input({ slas: [unmeasured] }));
  assert.equal(v.kind, 'lab-failure');
  assert.match(v.reasons.join('\n'), /no SLA could be measured/);
});

test('soak degradation: warn keeps the pass with a warning, fail fails the SLAs', () => {
  const warn = runVerdict(input({ soakChecks: [degradationCheck(100, 115, 60)] }));
  assert.equal(warn.kind, 'pass');
  assert.match(warn.warnings.join('\n'), /p95_degradation warns/);
  const fail = runVerdict(input({ soakChecks: [degradationCheck(100, 130, 60)] }));
  assert.equal(fail.kind, 'sla-failure');
  assert.match(fail.reasons.join('\n'), /p95_degradation failed/);
});

test('interrupted is never a pass and exits 130, even with stopped runners', () => {
  const v = runVerdict(input({ interrupted: true, runners: [{ instance: 1, exitCode: null }, { instance: 2, exitCode: 108 }] }));
  assert.equal(v.kind, 'interrupted');
  assert.equal(v.status, 'fail');
  assert.equal(v.exitCode, EXIT_CODES.interrupted);
  assert.match(v.reasons[0]!, /interrupted/);
});
