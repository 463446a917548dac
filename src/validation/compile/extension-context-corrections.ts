/**
 * Core R4 extension definitions whose published 4.0.1 context contradicts how R4 itself uses the
 * extension, with the context HL7 publishes in its corrected definitions (hl7.fhir.uv.extensions.r4),
 * which is what the HL7 Java validator loads. A correction applies only where the definition still
 * carries the exact published context, so a package that ships its own definition keeps it.
 */
export interface ExtensionContext {
  type: string;
  expression: string;
}

interface ContextCorrection {
  url: string;
  published: readonly ExtensionContext[];
  corrected: readonly ExtensionContext[];
  why: string;
}

const CORRECTIONS: readonly ContextCorrection[] = [
  {
    url: 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type',
    published: [{ type: 'element', expression: 'ElementDefinition.type.code' }],
    corrected: [
      { type: 'element', expression: 'ElementDefinition.type' },
      { type: 'element', expression: 'ElementDefinition.type.code' },
    ],
    why:
      "R4's own snapshots (Element.id, Extension.url, every primitive's value) carry it on ElementDefinition.type, " +
      'the context of the extensions package; on type.code it stays allowed, as the 4.0.1 text says',
  },
];

const BY_URL = new Map(CORRECTIONS.map((c) => [c.url, c]));

const sameContexts = (a: readonly ExtensionContext[], b: readonly ExtensionContext[]): boolean =>
  a.length === b.length && a.every((c, i) => c.type === b[i].type && c.expression === b[i].expression);

/** The contexts to check an extension's use against: the corrected ones for a known-wrong core definition, else its own. */
export function correctedContexts(url: string, contexts: ExtensionContext[] | undefined): ExtensionContext[] | undefined {
  const c = BY_URL.get(url);
  if (!c || !contexts || !sameContexts(contexts, c.published)) return contexts;
  return c.corrected.map((x) => ({ ...x }));
}
