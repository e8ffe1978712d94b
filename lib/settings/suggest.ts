// The hint after "unknown setting": the known name a typo or Simple JWT's
// UPPER_CASE spelling stands for. Run only when a setting is refused.

/** `ACCESS_TOKEN_LIFETIME` → `accessTokenLifetime`; undefined for a name that is not UPPER_SNAKE_CASE. */
function fromSimpleJwtName(name: string): string | undefined {
  if (!/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(name)) return undefined;
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Optimal string alignment distance (Levenshtein with adjacent swaps), ignoring case. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/**
 * The hint for an unknown setting `name`, or '' when no known name is close:
 * Simple JWT's UPPER_CASE name mapped to ours, else the known name within a
 * few edits (case ignored).
 */
export function unknownSettingHint(name: string, known: Iterable<string>, removed: Readonly<Record<string, string>>): string {
  const names = [...known];
  const camel = fromSimpleJwtName(name);
  if (camel !== undefined) {
    if (names.includes(camel)) return `: Simple JWT's ${name} is '${camel}' here (settings are camelCase)`;
    if (Object.prototype.hasOwnProperty.call(removed, camel)) return `: Simple JWT's ${name} is '${camel}' here, which has been removed: ${removed[camel]}`;
  }
  // At most 2 edits, and fewer than a third of the name: 'leeway' is no typo of 'jwkUrl'.
  const limit = Math.min(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === undefined ? '' : `: did you mean '${best}'?`;
}
