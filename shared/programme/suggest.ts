/** "Did you mean ...?" for names typed by hand: the closest candidate by edit distance. */

function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `typed` (case-insensitive), if it is close enough to be a likely typo:
 * at most a third of the longer name's length (at least one edit), and fewer edits than `typed` has
 * characters (so a one-letter name is not "corrected" into another).
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const wanted = typed.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(wanted, candidate.toLowerCase());
    if (!best || score < best.score) best = { name: candidate, score };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(wanted.length, best.name.length) / 3));
  return best.score <= allowed && best.score < wanted.length ? best.name : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const match = closest(typed, candidates);
  return match === undefined || match === typed ? '' : ` (did you mean "${match}"?)`;
}
