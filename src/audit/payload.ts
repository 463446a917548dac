/**
 * What the audit needs from a submitted Bundle without keeping it in clear: the patients' person
 * identifiers (to hash), and for the report page the line of each element in the pretty-printed
 * payload so issues can point at it.
 */

const PERSON_SYSTEMS = new Set(['urn:oid:1.2.208.176.1.2', 'urn:oid:1.2.208.176.1.6.1.1', 'urn:oid:1.2.208.176.1.6.1.3']);

/** CPR/eCPR values of every Patient in a Bundle (tolerates anything: rejected payloads may be malformed). */
export function personIdentifiers(bundle: unknown): string[] {
  const out: string[] = [];
  const entries = (bundle as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    const r = (e as { resource?: { resourceType?: unknown; identifier?: unknown } })?.resource;
    if (r?.resourceType !== 'Patient' || !Array.isArray(r.identifier)) continue;
    for (const id of r.identifier as { system?: unknown; value?: unknown }[]) {
      if (typeof id?.value === 'string' && typeof id.system === 'string' && PERSON_SYSTEMS.has(id.system)) out.push(id.value);
    }
  }
  return out;
}

export function parseJsonSafely(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

export interface PrettyPayload {
  /** The pretty-printed lines (2-space JSON). */
  lines: string[];
  /** JSON path ("entry[3].resource.component[1]") → [first line, last line] (0-based, inclusive). */
  spans: Map<string, [number, number]>;
}

/** Pretty-prints a JSON value, remembering which lines each element occupies. */
export function prettyWithSpans(value: unknown): PrettyPayload {
  const lines: string[] = [];
  const spans = new Map<string, [number, number]>();
  const walk = (v: unknown, p: string, indent: string, prefix: string, comma: string) => {
    const start = lines.length;
    if (Array.isArray(v) && v.length) {
      lines.push(`${indent}${prefix}[`);
      v.forEach((item, i) => walk(item, `${p}[${i}]`, `${indent}  `, '', i < v.length - 1 ? ',' : ''));
      lines.push(`${indent}]${comma}`);
    } else if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      lines.push(`${indent}${prefix}{`);
      const keys = Object.keys(v);
      keys.forEach((k, i) => {
        const child = (v as Record<string, unknown>)[k];
        const childPath = p ? `${p}.${k}` : k;
        // FHIRPath names an array element as name[i] and the array itself as name.
        walk(child, childPath, `${indent}  `, `${JSON.stringify(k)}: `, i < keys.length - 1 ? ',' : '');
      });
      lines.push(`${indent}}${comma}`);
    } else {
      lines.push(`${indent}${prefix}${JSON.stringify(v)}${comma}`);
    }
    if (p) spans.set(p, [start, lines.length - 1]);
  };
  walk(value, '', '', '', '');
  return { lines, spans };
}

/**
 * Maps an issue's FHIRPath (`Bundle.entry[4].resource.component[1].valueCodeableConcept`) to the
 * deepest element of the payload it names. Unknown tails (e.g. `.where(...)`, an absent element)
 * fall back to the nearest existing ancestor, so the auditor still lands next to the problem.
 */
export function spanOfExpression(expression: string | undefined, spans: Map<string, [number, number]>): { path: string; span: [number, number]; exact: boolean } | undefined {
  if (!expression) return undefined;
  const steps = expression.trim().replace(/^Bundle\.?/, '').replace(/\.ofType\([^)]*\)/g, '').split('.').filter(Boolean);
  let best: { path: string; span: [number, number]; exact: boolean } | undefined;
  let p = '';
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?$/.test(step)) break;
    const bare = step.replace(/\[\d+\]$/, '');
    const candidates = [p ? `${p}.${step}` : step];
    // `resource.Patient.x` style typed steps do not appear in JSON: skip a step naming a type.
    if (/^[A-Z]/.test(bare) && !spans.has(candidates[0])) continue;
    // `name` without an index on an array: the first element is the most useful target.
    if (!/\[\d+\]$/.test(step)) candidates.push(`${candidates[0]}[0]`);
    // Inside a path, a repeating element named without an index continues in its first item.
    const last = i === steps.length - 1;
    const found = (last ? candidates : [...candidates].reverse()).find((c) => spans.has(c));
    if (!found) break;
    p = found;
    best = { path: found, span: spans.get(found) as [number, number], exact: i === steps.length - 1 };
  }
  return best;
}
