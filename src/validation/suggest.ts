/**
 * "Did you mean …?" for misspelt keys and names in a catalog. Operators mistype by a letter or
 * two (`comand`, `BATCH-01`, `rankngs`), so the closest known word within a small edit
 * distance is almost always the one they meant; anything further away is left unsuggested
 * rather than guessed.
 */

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring letters each cost 1 (a swap is the commonest typo, `retires` for `retries`).
 * Letter case is ignored, since `Command` for `command` is one mistake, not seven.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rolling rows (two back, one back, current) are all a swap needs.
  let twoBack: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, twoBack[j - 2]! + 1);
      current.push(best);
    }
    twoBack = previous;
    previous = current;
  }
  return previous[t.length]!;
}

/** The largest distance still taken as a typo: one edit for short words, about a third of a long one. */
function tolerance(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

/** The known word closest to `word`, when one is close enough to be what was meant. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= tolerance(word) ? best : undefined;
}

/** ` — did you mean "x"?`, or nothing when no known word is close. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const match = closest(word, known);
  return match === undefined ? '' : ` — did you mean "${match}"?`;
}
