// The scenario library, importable as `perflab` from a scenario written anywhere
// (`import { labOptions, careerSelectionFlow } from 'perflab'`): the build aliases it for
// esbuild and the scenario tsconfig maps it for tsc.

export { BASE_URL, RUN, PROFILE_SHAPE, thinkTime, wsBaseUrl } from './env.ts';
export { get, post, postJson, json, step, observe, serverTimingMs, url, type RequestTags, type Response } from './http.ts';
export { labOptions, type ScenarioSpec } from './options.ts';
export { newStudentId, returningStudentId } from './ids.ts';
export * as metrics from './metrics.ts';
export { careerSelectionFlow, type SelectedCareer } from '../journeys/careerSelection.ts';
export { learningSession } from '../journeys/learningSession.ts';
export { flowState } from '../journeys/flowState.ts';
export { dashboard } from '../journeys/dashboard.ts';
export { parentEvening } from '../journeys/parentEvening.ts';
export { morningLogin, login } from '../journeys/morningLogin.ts';
export { requestReport, followReport } from '../journeys/reports.ts';
export { trendingCareers, health, careerHistory } from '../journeys/browse.ts';
export { BROWSER_OPTIONS, studentJourneyInBrowser } from './browser.ts';
export type { K6SlaId } from '../../lab/scenarios/thresholds.ts';
export type { LabScenarios } from '../../lab/scenarios/profiles.ts';
