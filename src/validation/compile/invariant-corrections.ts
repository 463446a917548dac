/**
 * Core R4 invariants whose published 4.0.1 expression contradicts their own human text, with the
 * corrected expression the HL7 Java validator evaluates instead. A correction applies only where the
 * definition still carries the exact published (wrong) text, so a profile that redefines the key
 * with its own expression keeps it.
 */
interface Correction {
  published: string;
  corrected: string;
  why: string;
}

const CORRECTIONS: Readonly<Record<string, Correction>> = {
  'que-12': {
    published: 'enableWhen.count() > 2 implies enableBehavior.exists()',
    corrected: 'enableWhen.count() >= 2 implies enableBehavior.exists()',
    why: "'If there are more than one enableWhen, enableBehavior must be specified': two enableWhen already need it (fixed in later FHIR versions; HL7 applies the fix to R4)",
  },
  'ref-1': {
    published: "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
    corrected:
      "reference.exists() implies (reference = '#' or (reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))))",
    why: "a contained resource may refer to its container with '#' (R4 References), which the published text fails",
  },
};

/** The expression to evaluate for a constraint: the corrected one for a known-wrong core invariant, else the given one. */
export function correctedExpression(key: string, expression: string): string {
  const c = CORRECTIONS[key];
  return c && c.published === expression ? c.corrected : expression;
}
