import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerTiming, RequestTiming } from './timing.ts';
import { decodeCursor, encodeCursor } from './routes/students.ts';

test('RequestTiming adds up database and cache time into a Server-Timing header', async () => {
  const t = new RequestTiming();
  await t.db(() => new Promise((r) => setTimeout(r, 20)));
  await t.db(() => new Promise((r) => setTimeout(r, 10)));
  await t.cache(async () => undefined);
  await assert.rejects(t.db(() => Promise.reject(new Error('x'))));
  const parsed = parseServerTiming(t.header());
  assert.ok(parsed.db! >= 29 && parsed.db! < 200, String(parsed.db));
  assert.ok(parsed.cache! >= 0 && parsed.cache! < 20);
  assert.ok(parsed.total! >= parsed.db!);
});

test('history cursor round-trips the exact timestamp text; garbage is a 400', () => {
  const ts = '2026-11-17 13:12:59.573316+00';
  assert.deepEqual(decodeCursor(encodeCursor(ts, '42')), [ts, '42']);
  assert.throws(() => decodeCursor('garbage'), (err: { statusCode: number }) => err.statusCode === 400);
  assert.throws(() => decodeCursor(Buffer.from('["not a date","1"]').toString('base64url')), /cursor is invalid/);
});
