/** Fixed (exact) and pattern (subset) matching of JSON values, as ElementDefinition.fixed[x]/pattern[x] define them. */

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => deepEqual(ao[k], bo[k]));
}

/** True when every element of the pattern occurs in the value (arrays: each pattern item matches some value item). */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return pattern === value;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(pattern)) {
    for (let i = 0; i < pattern.length; i++) {
      if (Array.isArray(value)) {
        let found = false;
        for (let j = 0; j < value.length && !found; j++) found = matchesPattern(pattern[i], value[j]);
        if (!found) return false;
      } else if (!matchesPattern(pattern[i], value)) return false;
    }
    return true;
  }
  if (Array.isArray(value)) {
    for (let j = 0; j < value.length; j++) if (matchesPattern(pattern, value[j])) return true;
    return false;
  }
  const po = pattern as Record<string, unknown>;
  const vo = value as Record<string, unknown>;
  for (const k in po) {
    const v = vo[k];
    if (v === undefined || !matchesPattern(po[k], v)) return false;
  }
  return true;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
