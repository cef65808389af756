// Guidelines §2.1 Load Testing (see README.md for the marked changes).
import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL; // perflab: from the environment

// Custom metrics
const careerSelectionDuration = new Trend('career_selection_duration');
const contentGenerationDuration = new Trend('content_generation_duration');
const errorRate = new Rate('errors');

export const options = {
  // perflab: load shape for a functional run (the guidelines ramp to 1000 and 8000 VUs)
  scenarios: { normal_load: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } },
  thresholds: {
    'http_req_duration': ['p(95)<2000'],
    'career_selection_duration': ['p(95)<500'],
    'content_generation_duration': ['p(95)<3000'],
    'errors': ['rate<0.01'],
  },
};

export default function() {
  const studentId = `student_${__VU}_${__ITER}`;
  let sessionId; // perflab: hoisted, the "Learning Session" group uses it

  group('Career Selection Flow', () => {
    // Get available careers
    const poolStart = Date.now();
    const poolResponse = http.get(
      `${BASE_URL}/api/v1/students/${studentId}/careers/pool`,
      { tags: { name: 'GetCareerPool' } }
    );
    
    check(poolResponse, {
      'career pool retrieved': (r) => r.status === 200,
      'pool contains 4 careers': (r) => JSON.parse(r.body).careers.length === 4,
    });
    
    if (poolResponse.status !== 200) {
      errorRate.add(1);
      return;
    }
    
    // Select a career
    const careers = JSON.parse(poolResponse.body).careers;
    const selectedCareer = careers[Math.floor(Math.random() * careers.length)];
    
    const selectionStart = Date.now();
    const selectionResponse = http.post(
      `${BASE_URL}/api/v1/students/${studentId}/careers/select`,
      JSON.stringify({ careerId: selectedCareer.id }),
      {
        headers: { 'Content-Type': 'application/json' },
        tags: { name: 'SelectCareer' }
      }
    );
    
    careerSelectionDuration.add(Date.now() - selectionStart);
    
    check(selectionResponse, {
      'career selected': (r) => r.status === 200,
      'session created': (r) => JSON.parse(r.body).sessionId !== undefined,
    });
    
    if (selectionResponse.status !== 200) {
      errorRate.add(1);
      return;
    }
    
    sessionId = JSON.parse(selectionResponse.body).sessionId; // perflab: was `const sessionId =`
    
    // Generate content
    const contentStart = Date.now();
    const contentResponse = http.get(
      `${BASE_URL}/api/v1/sessions/${sessionId}/content`,
      { tags: { name: 'GenerateContent' } }
    );
    
    contentGenerationDuration.add(Date.now() - contentStart);
    
    check(contentResponse, {
      'content generated': (r) => r.status === 200,
      'containers present': (r) => {
        const content = JSON.parse(r.body);
        return content.learn && content.experience && content.discover;
      },
    });
  });
  
  group('Learning Session', () => {
    // Simulate learning interactions
    for (let i = 0; i < 10; i++) {
      const interactionResponse = http.post(
        `${BASE_URL}/api/v1/sessions/${sessionId}/interact`,
        JSON.stringify({
          type: 'answer',
          data: { questionId: i, answer: Math.random() > 0.7 }
        }),
        {
          headers: { 'Content-Type': 'application/json' },
          tags: { name: 'StudentInteraction' }
        }
      );
      
      check(interactionResponse, {
        'interaction recorded': (r) => r.status === 200,
      });
      
      sleep(Math.random() * 2 + 1); // Simulate thinking time
    }
  });
  
  // PathIQ monitoring
  group('PathIQ Analysis', () => {
    const flowResponse = http.get(
      `${BASE_URL}/api/v1/students/${studentId}/flow-state`,
      { tags: { name: 'GetFlowState' } }
    );
    
    check(flowResponse, {
      'flow state retrieved': (r) => r.status === 200,
      'flow percentage valid': (r) => {
        const flow = JSON.parse(r.body).percentage;
        return flow >= 0 && flow <= 100;
      },
    });
  });
  
  sleep(1);
}

// Teardown function for cleanup
export function teardown(data) {
  console.log('Performance Test Summary:');
  console.log(`  Career Selection p95: ${careerSelectionDuration.p(95)}ms`);
  console.log(`  Content Generation p95: ${contentGenerationDuration.p(95)}ms`);
  console.log(`  Error Rate: ${errorRate.rate * 100}%`);
}
