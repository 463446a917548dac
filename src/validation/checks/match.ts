/** Fixed (exact) and pattern (subset) matching of JSON values, as ElementDefinition.fixed[x]/pattern[x] define them. */

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // loops rather than Object.keys()/every(): this runs for every fixed value and slice candidate, and
  // the key arrays and closures were a large share of a validation's garbage
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const k in ao) {
    if (!Object.hasOwn(ao, k)) continue;
    count++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (Object.hasOwn(bo, k)) count--;
  return count === 0;
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
