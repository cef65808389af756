// The Mann-Whitney U test (Wilcoxon rank-sum), one-sided: is `after` stochastically greater than
// `before`? Distribution-free, which suits percentiles of windows (skewed, with outliers). Exact for
// small samples without ties, the normal approximation with tie and continuity corrections
// otherwise. Pure.

export interface RankTest {
  /** U of `after`: how many (before, after) pairs have after > before (ties count half). */
  u: number;
  /** P(U >= u) when both come from one distribution. */
  pValue: number;
  method: 'exact' | 'normal';
}

/** Exact P(U >= u) without ties: the share of the C(n1+n2, n1) arrangements with that many or more. */
function exactUpperTail(n1: number, n2: number, u: number): number {
  // counts[j][k] = arrangements of j "after" and k "before" values with a given U, as a table over U
  const maxU = n1 * n2;
  let prev: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let j = 1; j <= n1; j++) {
    const cur: number[][] = [new Array<number>(1).fill(1)];
    for (let k = 1; k <= n2; k++) {
      // the largest value is an "after" (adds k to U: above every "before") or a "before"
      const a = prev[k]!;
      const b = cur[k - 1]!;
      const row = new Array<number>(j * k + 1).fill(0);
      for (let x = 0; x < a.length; x++) row[x + k] += a[x]!;
      for (let x = 0; x < b.length; x++) row[x] += b[x]!;
      cur.push(row);
    }
    prev = cur;
  }
  const dist = prev[n2]!;
  const total = dist.reduce((s, c) => s + c, 0);
  let tail = 0;
  for (let x = Math.ceil(u - 1e-9); x <= maxU; x++) tail += dist[x] ?? 0;
  return tail / total;
}

/** The standard normal's upper tail. */
function normalUpperTail(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erfc, |error| < 1.5e-7
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export function mannWhitneyGreater(before: readonly number[], after: readonly number[]): RankTest {
  const n1 = after.length;
  const n2 = before.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1, method: 'exact' };
  let u = 0;
  for (const a of after) for (const b of before) u += a > b ? 1 : a === b ? 0.5 : 0;
  const all = [...before, ...after].sort((x, y) => x - y);
  let ties = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  if (ties === 0 && n1 <= 25 && n2 <= 25) return { u, pValue: exactUpperTail(n1, n2, u), method: 'exact' };
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1, method: 'normal' };
  return { u, pValue: normalUpperTail((u - mean - 0.5) / Math.sqrt(variance)), method: 'normal' };
}
