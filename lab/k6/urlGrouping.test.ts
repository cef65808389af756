import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GROUPED_NAME, groupUrl } from './urlGrouping.ts';

test('id-like path segments and query values become placeholders; the rest stays', () => {
  const cases: Array<[string, string]> = [
    ['http://127.0.0.1:8080/api/v1/students/student_3_17/careers/pool', 'http://127.0.0.1:8080/api/v1/students/student_{n}_{n}/careers/pool'],
    ['https://x.example/orders/42/items/7', 'https://x.example/orders/{n}/items/{n}'],
    ['http://x/users/0f8fad5b-d9cb-469f-a165-70867728950e/profile', 'http://x/users/{uuid}/profile'],
    ['http://x/blobs/9f86d081884c7d65', 'http://x/blobs/{hex}'],
    ['http://x/orders/order-42', 'http://x/orders/order-{n}'],
    ['http://x/api/v1/careers/trending', 'http://x/api/v1/careers/trending'],
    ['http://x/search?q=shoes&page=2&debug', 'http://x/search?q={}&page={}&debug'],
    ['http://x/api/v2/health', 'http://x/api/v2/health'],
    ['http://x/deadbeef', 'http://x/deadbeef'],
    ['/relative/123', '/relative/{n}'],
  ];
  for (const [url, grouped] of cases) assert.equal(groupUrl(url), grouped, url);
});

test('a grouped name is recognisable as one; a hand-written name is not', () => {
  assert.match(groupUrl('http://x/students/student_1_2'), GROUPED_NAME);
  assert.match(groupUrl('http://x/s?id=5'), GROUPED_NAME);
  assert.doesNotMatch('GetCareerPool', GROUPED_NAME);
  assert.doesNotMatch('http://x/api/v1/careers/trending', GROUPED_NAME);
});
