// What a scenario reads from its environment at run time: where the service is and how hard to
// push it. One bundle serves every profile; nothing here is decided at build time.

import { sleep } from 'k6';
import { PROFILE_SHAPES, loadShapeFromEnv, type LoadShape } from '../../lab/scenarios/profiles.ts';

/** The service under test, without a trailing slash (BASE_URL; default: the local target). */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** PROFILE / VUS / DURATION, validated (a bad value stops the test in the init context). */
export const RUN: LoadShape = loadShapeFromEnv(__ENV);
export const PROFILE_SHAPE = PROFILE_SHAPES[RUN.profile];

/** A user's pause between two actions, min..max seconds, shortened by the profile (smoke, ci). */
export function thinkTime(minSeconds: number, maxSeconds: number): void {
  const seconds = (minSeconds + Math.random() * (maxSeconds - minSeconds)) * PROFILE_SHAPE.thinkScale;
  if (seconds > 0) sleep(seconds);
}

/** HTTP(S) base URL as a WebSocket base URL. */
export function wsBaseUrl(): string {
  return BASE_URL.replace(/^http/, 'ws');
}
