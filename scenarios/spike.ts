// Spike test (guidelines §2.3): a sudden surge from 100 to 10 000 users on the most-read,
// cached endpoint, held, then dropped; the cache has to carry it.

import { labOptions, trendingCareers } from 'perflab';

export const options = labOptions({
  slas: ['page_load_p95', 'cache_hit_rate', 'http_error_rate', 'checks_pass_rate'],
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      stages: [
        { duration: '1m', target: 100 }, // baseline
        { duration: '30s', target: 10000 }, // sudden spike
        { duration: '3m', target: 10000 }, // sustained spike
        { duration: '30s', target: 100 }, // quick drop
        { duration: '2m', target: 100 }, // recovery period
        { duration: '30s', target: 0 },
      ],
    },
  },
});

const seenPods = new Set<string>();

export default function (): void {
  const res = trendingCareers();
  // which pods served this VU (auto-scaling shows up as new names); logged once per pod
  const pod = res.headers['X-Pod-Name'];
  if (pod && !seenPods.has(pod)) {
    seenPods.add(pod);
    console.log(`Served by pod: ${pod}`);
  }
}
