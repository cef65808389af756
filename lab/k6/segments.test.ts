import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runnerSegment, runnerSegments, segmentArgs } from './segments.ts';

test('one runner takes the whole test', () => {
  assert.deepEqual(runnerSegments(1), [{ instance: 1, segment: '0:1', sequence: '0,1' }]);
});

test('two runners split at one half, with the operator sequence', () => {
  assert.deepEqual(runnerSegments(2).map((s) => s.segment), ['0:1/2', '1/2:1']);
  assert.equal(runnerSegment(2, 2).sequence, '0,1/2,1');
});

test('fractions are not reduced, like the operator (2/4 stays 2/4)', () => {
  assert.deepEqual(runnerSegments(4).map((s) => s.segment), ['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1']);
  assert.equal(runnerSegment(3, 4).sequence, '0,1/4,2/4,3/4,1');
});

test('segments of n runners cover 0..1 with no gap or overlap', () => {
  for (const n of [1, 2, 3, 5, 7, 16]) {
    const segments = runnerSegments(n);
    assert.equal(segments.length, n);
    const value = (p: string) => (p.includes('/') ? Number(p.split('/')[0]) / Number(p.split('/')[1]) : Number(p));
    let end = 0;
    for (const s of segments) {
      const [from, to] = s.segment.split(':') as [string, string];
      assert.equal(value(from), end, `runner ${s.instance} of ${n} starts where the previous ended`);
      assert.ok(value(to) > value(from));
      end = value(to);
      assert.equal(s.sequence, segments[0]!.sequence, 'every runner gets the same sequence');
    }
    assert.equal(end, 1);
  }
});

test('segmentArgs gives the exact k6 flags', () => {
  assert.deepEqual(segmentArgs(runnerSegment(1, 3)), [
    '--execution-segment=0:1/3',
    '--execution-segment-sequence=0,1/3,2/3,1',
  ]);
});

test('bad parallelism or instance names the field and the valid range', () => {
  assert.throws(() => runnerSegments(0), /parallelism must be a whole number >= 1, got 0/);
  assert.throws(() => runnerSegments(1.5), /parallelism/);
  assert.throws(() => runnerSegment(3, 2), /instance must be a whole number in 1\.\.2, got 3/);
  assert.throws(() => runnerSegment(0, 2), /instance/);
});
