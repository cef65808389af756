// PathIQ flow state from a student's recent answers. Pure.

/** Flow state from a student's recent answers: flow is "challenged but succeeding". */
export function flowState(interactions: number, correct: number): { percentage: number; state: 'flow' | 'challenged' | 'bored' | 'warming_up' } {
  if (interactions < 3) return { percentage: 50, state: 'warming_up' };
  const success = correct / interactions;
  // 70 % success is the sweet spot; the score falls linearly to 0 at 0 % and 140 %.
  const percentage = Math.max(0, Math.min(100, Math.round(100 * (1 - Math.abs(success - 0.7) / 0.7))));
  const state = success > 0.9 ? 'bored' : success < 0.4 ? 'challenged' : 'flow';
  return { percentage, state };
}
