// The guidelines' user-experience metrics (§1.2) in a real browser: students sign in, see their
// dashboard with their personalized careers and choose today's career, on the web front end the
// target serves (/app), driven by k6/browser in Chromium. Judged: Core Web Vitals (LCP, FCP, CLS,
// INP for FID, TTFB), time to interactive, time to career selection, UI interaction response,
// personalization delay, page load, and the performance budget per page. Few browser VUs (a browser
// is heavy: up to a CPU core and 300 MB each while it loads a page); the guidelines' §4.2 synthetic
// student login flow runs the same journey every 5 minutes. For load, run the protocol scenarios
// beside it, or the critical journeys, whose mix has browser VUs.

import { BROWSER_OPTIONS, labOptions, newStudentId, studentJourneyInBrowser, thinkTime } from 'perflab';

export const options = labOptions({
  slas: [
    'web_vital_lcp_p95', 'web_vital_fcp_p95', 'web_vital_cls_p95', 'web_vital_inp_p95', 'web_vital_ttfb_p90',
    'time_to_interactive_p95', 'time_to_career_selection_p95', 'ui_interaction_p95', 'personalization_delay_p95',
    'browser_page_load_p95', 'dashboard_page_load_p95',
    'budget_javascript', 'budget_css', 'budget_images', 'budget_fonts', 'budget_total',
    'journey_error_rate', 'checks_pass_rate',
  ],
  scenarios: {
    students_in_browser: {
      executor: 'constant-vus',
      vus: 20, // smoke: 2, ci: 10 (scaled with the profile, as every scenario)
      duration: '10m',
      exec: 'studentInBrowser',
      gracefulStop: '30s',
      options: BROWSER_OPTIONS,
    },
  },
});

export async function studentInBrowser(): Promise<void> {
  await studentJourneyInBrowser(newStudentId('browser'));
  thinkTime(2, 5);
}

export default async function (): Promise<void> {
  await studentInBrowser();
}
