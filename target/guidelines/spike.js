// Guidelines §2.3 Spike Testing (see README.md for the marked changes).
import http from 'k6/http'; // perflab: imports as in §2.1
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL; // perflab: from the environment

export const options = {
  // perflab: load shape for a functional run (the guidelines spike to 10000 VUs)
  scenarios: { spike: { executor: 'per-vu-iterations', vus: 2, iterations: 10 } },
};

// Monitor auto-scaling behavior
export default function() {
  const startTime = Date.now();
  const response = http.get(`${BASE_URL}/api/v1/careers/trending`);
  const responseTime = Date.now() - startTime;
  
  check(response, {
    'handles spike': (r) => r.status === 200 || r.status === 429,
    'response time acceptable': () => responseTime < 5000,
    'cache utilized': (r) => r.headers['X-Cache'] === 'HIT',
  });
  
  // Track scaling metrics
  if (response.headers['X-Pod-Name']) {
    console.log(`Served by pod: ${response.headers['X-Pod-Name']}`);
  }
}
