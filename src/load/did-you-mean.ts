/**
 * "Did you mean …?" for names a user typed: a git ref, a Zod method, an export. A slip of the
 * keyboard is a few edits away (a letter missing, extra, wrong or swapped with its neighbour, or a
 * different case), so only names within a third of the name's length are offered.
 */

/** Edit distance (insertions, deletions, substitutions and swaps of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return x === y && a !== b ? 1 : rows[x.length]![y.length]!;
}

/** The closest of `candidates` to `name` (up to three, equally close), when close enough to be a slip. */
export function didYouMean(name: string, candidates: readonly string[]): string[] {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const score = distance(name, candidate);
    if (score > limit || score > best) continue;
    if (score < best) [best, found] = [score, []];
    found.push(candidate);
  }
  return found.slice(0, 3);
}
