/**
 * Core R4 invariants whose published 4.0.1 expression is wrong (it contradicts the invariant's own
 * human text or the rest of the specification), with the corrected expression the HL7 Java
 * validator evaluates instead. A correction applies only where a definition carries the exact
 * published text, so a profile that redefines a key with its own expression keeps it.
 */
interface Correction {
  /** The keys that carry this expression (for the reader; the published text is what is matched). */
  keys: string;
  published: string;
  corrected: string;
  why: string;
}

const CORRECTIONS: readonly Correction[] = [
  {
    keys: 'que-12',
    published: 'enableWhen.count() > 2 implies enableBehavior.exists()',
    corrected: 'enableWhen.count() >= 2 implies enableBehavior.exists()',
    why: "'If there are more than one enableWhen, enableBehavior must be specified': two enableWhen already need it (fixed in later FHIR versions)",
  },
  {
    keys: 'ref-1',
    published: "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
    corrected:
      "reference.exists() implies (reference = '#' or (reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))))",
    why: "a contained resource may refer to its container with '#' (R4 References), which the published text fails",
  },
  {
    keys: 'adf-0, cpb-0, csd-0, que-0, sdf-0, vsd-0 and the other <x>-0 name warnings of canonical resources',
    published: "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')",
    corrected: "name.exists() implies name.matches('^[A-Z]([A-Za-z0-9_]){0,254}$')",
    why: "'Name should be usable as an identifier': the whole name, not some part of it, must have that form",
  },
  {
    keys: 'eld-19',
    published: String.raw`path.matches('[^\\s\\.,:;\\\'"\\/|?!@#$%&*()\\[\\]{}]{1,64}(\\.[^\\s\\.,:;\\\'"\\/|?!@#$%&*()\\[\\]{}]{1,64}(\\[x\\])?(\\:[^\\s\\.]+)?)*')`,
    corrected: String.raw`path.matches('^[^\\s.,:;\'"/|?!@#$%&*()\\[\\]{}]{1,64}(\\.[^\\s.,:;\'"/|?!@#$%&*()\\[\\]{}]{1,64}(\\[x\\])?(:[^\\s.]+)?)*$')`,
    why: "the published regex is Java's dialect (\\' and \\: escapes) that a unicode JavaScript regex rejects, so eld-19 was never evaluated; and the whole path must match, as the HL7 validator matches it",
  },
  {
    keys: 'eld-20',
    published: String.raw`path.matches('[A-Za-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*(\\[x])?)*')`,
    corrected: String.raw`path.matches('^[A-Za-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*(\\[x\\])?)*$')`,
    why: "the published regex has a lone ']' that a unicode JavaScript regex rejects; and the whole path must match, as the HL7 validator matches it",
  },
];

const BY_PUBLISHED = new Map(CORRECTIONS.map((c) => [c.published, c]));

/** The expression to evaluate for a constraint: the corrected one for a known-wrong core invariant, else the given one. */
export function correctedExpression(expression: string): string {
  return BY_PUBLISHED.get(expression)?.corrected ?? expression;
}
