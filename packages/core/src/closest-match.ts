/**
 * "Did you mean" suggestions for misspelt names (metrics, keys, components).
 */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows of the (n+1) x (m+1) dynamic-programming table.
  let prev2 = new Int32Array(m + 1);
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s.charCodeAt(i - 1) === t.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    const tmp = prev2;
    prev2 = prev;
    prev = cur;
    cur = tmp;
  }
  return prev[m];
}

/**
 * Up to `max` candidates close to `input`, best first: case-insensitive equality, then candidates that
 * contain the input or are contained in it, then small edit distances (at most a third of the length).
 */
export function closestMatches(input: string, candidates: Iterable<string>, max = 3): string[] {
  const q = input.trim().toLowerCase();
  if (q === '') return [];
  const scored: { c: string; score: number }[] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    let score: number;
    if (lc === q) score = 0;
    else if (q.length >= 3 && (lc.includes(q) || q.includes(lc))) score = 1;
    else {
      const d = editDistance(q, lc);
      if (d > Math.max(1, Math.floor(Math.max(q.length, lc.length) / 3))) continue;
      score = 1 + d;
    }
    scored.push({ c, score });
  }
  scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((x) => x.c);
}
