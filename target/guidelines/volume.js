// Guidelines §2.5 Volume Testing (see README.md for the marked changes).
import http from 'k6/http'; // perflab: imports as in §2.1
import { check, group } from 'k6';

const BASE_URL = __ENV.BASE_URL; // perflab: from the environment

export const options = {
  // perflab: load shape for a functional run
  scenarios: { volume: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } },
};

// Volume Test - Large data sets
export default function() {
  const studentId = `volume_test_${__VU}`;
  
  group('Large Career History', () => {
    // Student with 1000+ career selections
    const historyResponse = http.get(
      `${BASE_URL}/api/v1/students/${studentId}/career-history?limit=1000`
    );
    
    check(historyResponse, {
      'handles large history': (r) => r.status === 200,
      'pagination works': (r) => JSON.parse(r.body).hasMore !== undefined,
      'response time acceptable': (r) => r.timings.duration < 3000,
    });
  });
  
  group('Bulk Operations', () => {
    // Bulk student creation for schools
    const students = Array.from({ length: 100 }, (_, i) => ({
      name: `Student ${i}`,
      grade: Math.floor(Math.random() * 12),
      schoolId: 'test-school',
    }));
    
    const bulkResponse = http.post(
      `${BASE_URL}/api/v1/schools/bulk-enroll`,
      JSON.stringify({ students }),
      {
        headers: { 'Content-Type': 'application/json' },
        timeout: '30s',
      }
    );
    
    check(bulkResponse, {
      'bulk operation successful': (r) => r.status === 200,
      'all students created': (r) => JSON.parse(r.body).created === 100,
    });
  });
  
  group('Large Content Generation', () => {
    // Generate comprehensive report
    const reportResponse = http.post(
      `${BASE_URL}/api/v1/reports/generate`,
      JSON.stringify({
        type: 'comprehensive',
        studentIds: Array.from({ length: 500 }, (_, i) => `student_${i}`),
        dateRange: { start: '2024-01-01', end: '2024-12-31' },
      }),
      {
        headers: { 'Content-Type': 'application/json' },
        timeout: '60s',
      }
    );
    
    check(reportResponse, {
      'large report generated': (r) => r.status === 200,
      'async processing': (r) => JSON.parse(r.body).jobId !== undefined,
    });
  });
}
