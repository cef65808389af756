// Who is acting. Student ids are free strings; the target enrols an unseen id on the fly.

import exec from 'k6/execution';

/** A student new to this iteration, as in the guidelines' `student_${__VU}_${__ITER}`. */
export function newStudentId(prefix = 'student'): string {
  return `${prefix}_${exec.vu.idInTest}_${exec.vu.iterationInScenario}`;
}

/**
 * A returning student from a fixed population (default 50 per VU), so that cacheable reads
 * (flow-state, dashboard, career pool) meet warm caches as real returning users do.
 */
export function returningStudentId(populationPerVU = 50, prefix = 'student'): string {
  return `${prefix}_${exec.vu.idInTest}_r${exec.vu.iterationInScenario % populationPerVU}`;
}
