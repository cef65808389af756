// The custom metrics of the guidelines, created once for every scenario. Names come from the SLA
// catalogue (K6_METRICS) so thresholds, Prometheus queries and dashboards agree on them; time
// trends are created with isTime=true (k6 reports ms, remote-writes seconds).
// Importing this module in the init context is what makes the metrics exist: k6 refuses a
// threshold on a metric the script never created.

import { Rate, Trend } from 'k6/metrics';
import { K6_METRICS } from '../../lab/sla/catalogue.ts';

export const careerSelectionDuration = new Trend(K6_METRICS.careerSelectionDuration, true);
export const contentGenerationDuration = new Trend(K6_METRICS.contentGenerationDuration, true);
export const flowStateLatency = new Trend(K6_METRICS.flowStateLatency, true);
export const realtimeLatency = new Trend(K6_METRICS.realtimeLatency, true);
export const realtimeConnect = new Trend(K6_METRICS.realtimeConnect, true);
export const dbQueryDuration = new Trend(K6_METRICS.dbQueryDuration, true);
/** share of cacheable responses served from the cache (X-Cache: HIT). */
export const cacheHits = new Rate(K6_METRICS.cacheHits);
/** the guidelines' `errors` Rate: 1 for a failed journey step, 0 for a good one. */
export const errors = new Rate(K6_METRICS.errors);
/** a real-time session that connected, got its messages and ended without error (the request's connection stability). */
export const realtimeSessionOk = new Rate(K6_METRICS.realtimeSessionOk);
/** an upload that was not accepted intact (status, size or SHA-256 wrong): the request's upload failure rate. */
export const uploadFailed = new Rate(K6_METRICS.uploadFailed);

// What the browser journey measures in the page (scenarios/lib/browser.ts); k6/browser itself
// reports the Web Vitals (browser_web_vital_*).
export const pageLoad = new Trend(K6_METRICS.pageLoad, true);
export const timeToInteractive = new Trend(K6_METRICS.timeToInteractive, true);
export const timeToCareerSelection = new Trend(K6_METRICS.timeToCareerSelection, true);
export const uiInteraction = new Trend(K6_METRICS.uiInteraction, true);
export const personalizationDelay = new Trend(K6_METRICS.personalizationDelay, true);
/** bytes of one page by type, as Resource Timing reports them (encodedBodySize, cached or not). */
export const pageBytes = {
  javascript: new Trend(K6_METRICS.pageBytesJavascript),
  css: new Trend(K6_METRICS.pageBytesCss),
  images: new Trend(K6_METRICS.pageBytesImages),
  fonts: new Trend(K6_METRICS.pageBytesFonts),
  total: new Trend(K6_METRICS.pageBytesTotal),
};
