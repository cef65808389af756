// "did you mean postgres?": the valid name closest to a mistyped one, for messages that name a
// field (or a flag) the user got almost right. Pure.

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate closest to `given`, when it is close enough to be a typo: at most a third of its
 * length in edits (at least one), or one contains the other ("postgresql" for "postgres").
 */
export function didYouMean(given: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(given, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(best.name.length / 3));
  if (best.distance <= allowed) return best.name;
  const lower = given.toLowerCase();
  return candidates.find((c) => c.length >= 4 && (lower.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(lower) && lower.length >= 4));
}
