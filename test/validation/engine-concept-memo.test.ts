/**
 * A CodeableConcept made only of codings and text is checked once per element and content, and its
 * issues are reused (rebased to each path) wherever the same content recurs, within a validation and
 * in the validations after it (the engine keeps its memos); the slice a sliced item's code selects
 * (Observation.component of a variant) is likewise found once per code. These tests hold the reused
 * issues to those of a fresh check: each Observation alone, validated by an engine that keeps no
 * memos (so every concept in it is checked afresh), must get exactly the issues it gets inside a
 * Bundle where the same concepts recur in hundreds of other entries, on passing and failing content.
 */
import * as path from 'node:path';
import { createValidator, type ValidationIssue } from '../../src/validation';

const STU2 = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');
const VARIANT = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant';
const options = { packages: [STU2], includeNgc: false };
const validator = createValidator(options);
/** The same definitions, with every validation starting from no memos. */
const fresh = createValidator({ ...options, store: validator.conformance, conceptMemoSlots: 0 });

const loinc = (code: string, display?: string) => ({ coding: [{ system: 'http://loinc.org', code, ...(display === undefined ? {} : { display }) }] });

/** A variant whose concepts pass, fail or cannot be checked, depending on `i`. */
function variant(i: number): Record<string, unknown> {
  const kind = i % 4;
  return {
    resourceType: 'Observation',
    meta: { profile: [VARIANT] },
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: kind === 1 ? 'not-a-category' : 'laboratory' }] }],
    code: loinc('69548-6', 'Genetic variant assessment'),
    valueCodeableConcept: kind === 2 ? { coding: [{ system: 'http://loinc.org', code: ' LA9633-4' }] } : loinc('LA9633-4', 'Present'),
    // the same content as a bound element (an unknown code: warning and error) and as an unbound one
    dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: kind === 3 ? 'bogus' : 'unknown' }] },
    method: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: kind === 3 ? 'bogus' : 'unknown', display: kind === 1 ? '' : 'Unknown' }], text: 'method' },
    interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'POS', userSelected: kind === 0 }] }],
    component: [
      { code: loinc('48018-6', 'Gene studied [ID]'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: kind === 2 ? 'HGNC:0' : 'HGNC:1100', display: 'BRCA1' }] } },
      { code: loinc('48002-0'), valueCodeableConcept: loinc('LA6683-2', 'Germline') },
      { code: loinc('48002-0'), valueCodeableConcept: loinc('LA6683-2', 'Germline') },
      // not reusable content (an extension, an id): always checked afresh
      { code: loinc('53034-5'), valueCodeableConcept: { ...loinc('LA6706-1'), extension: [{ url: 'http://example.org/x', valueString: 'x' }] } },
      { code: { id: 'c1', ...loinc('62374-4') }, valueCodeableConcept: { coding: [{ code: 'no-system' }] } },
      // a code no slice expects (open slicing), and a coding with two codes of which one selects a slice
      { code: loinc(kind === 1 ? '99999-9' : '81258-6'), valueQuantity: { value: 0.5, system: 'http://unitsofmeasure.org', code: '1' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '48013-7' }, { system: 'http://loinc.org', code: '51958-7' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/nuccore', code: 'NC_000017.11' }] } },
    ],
  };
}

const summary = (issues: ValidationIssue[]) => issues.map((i) => `${i.severity}|${i.code}|${i.messageId}|${i.expression}|${i.diagnostics}`);

describe('reused CodeableConcept issues', () => {
  const count = 200;
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: Array.from({ length: count }, (_, i) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource: variant(i) })),
  };
  const inBundle = validator.validate(bundle);

  it('are the issues of a fresh check, entry by entry', () => {
    for (let i = 0; i < count; i++) {
      const where = `Bundle.entry[${i}].resource`;
      const alone = fresh.validate(variant(i), { rootPath: where });
      const inside = inBundle.filter((x) => x.expression === where || x.expression?.startsWith(`${where}.`));
      expect(summary(inside)).toEqual(summary(alone));
    }
  });

  it('cover failing, uncheckable and passing content', () => {
    const first = (i: number) => summary(inBundle.filter((x) => x.expression?.startsWith(`Bundle.entry[${i}].resource.`)));
    // kind 3: an unknown code in a known code system, where bound (extensible) and not bound
    expect(first(3)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warning\|code-invalid\|BINDING_EXTENSIBLE\|Bundle\.entry\[3\]\.resource\.dataAbsentReason\|/),
        expect.stringMatching(/^error\|code-invalid\|CODE_UNKNOWN\|Bundle\.entry\[3\]\.resource\.method\.coding\[0\]\|/),
      ]),
    );
    expect(first(3).filter((s) => s.includes('BINDING_EXTENSIBLE') && s.includes('.method'))).toEqual([]);
    // kind 2: a code with a leading space; kind 1: an empty display
    expect(first(2)).toEqual(expect.arrayContaining([expect.stringMatching(/^error\|value\|TYPE_FORMAT\|Bundle\.entry\[2\]\.resource\.valueCodeableConcept\.coding\[0\]\.code\|/)]));
    expect(first(1)).toEqual(expect.arrayContaining([expect.stringMatching(/^error\|structure\|JSON_EMPTY\|Bundle\.entry\[1\]\.resource\.method\.coding\[0\]\.display\|/)]));
    // codes that cannot be checked are reported at every occurrence, never silently passed
    const hgnc = inBundle.filter((x) => x.messageId === 'BINDING_NOT_CHECKABLE' && /component\[0\]\.valueCodeableConcept/.test(x.expression ?? ''));
    expect(hgnc).toHaveLength(count);
    expect(new Set(hgnc.map((x) => x.expression)).size).toBe(count);
  });

  it('are separate objects at each occurrence', () => {
    const seen = new Set<ValidationIssue>();
    for (const issue of inBundle) {
      expect(seen.has(issue)).toBe(false);
      seen.add(issue);
    }
  });

  it('are kept for the validations that follow, with the issues of a fresh check', () => {
    const reversed = { ...bundle, entry: [...bundle.entry].reverse() };
    const before = validator.engine.conceptMemoSize;
    expect(before).toBeGreaterThan(0);
    const again = validator.validate(reversed);
    // every concept of the reversed Bundle was met by the first validation: nothing new is keyed
    expect(validator.engine.conceptMemoSize).toBe(before);
    expect(summary(again)).toEqual(summary(fresh.validate(reversed)));
    for (const i of [0, 1, 2, 3, 57]) {
      const where = `Bundle.entry[${i}].resource`;
      expect(summary(validator.validate(variant(i), { rootPath: where }))).toEqual(summary(fresh.validate(variant(i), { rootPath: where })));
    }
    expect(validator.engine.conceptMemoSize).toBe(before);
  });

  it('are started afresh once they have grown beyond the bound', () => {
    const one = { ...bundle, entry: bundle.entry.slice(0, 4) };
    const kept = createValidator({ ...options, store: validator.conformance });
    const issues = kept.validate(one);
    const size = kept.engine.conceptMemoSize;
    expect(summary(kept.validate(one))).toEqual(summary(issues));
    expect(kept.engine.conceptMemoSize).toBe(size);

    const bounded = createValidator({ ...options, store: validator.conformance, conceptMemoSlots: size - 1 });
    expect(summary(bounded.validate(one))).toEqual(summary(issues));
    expect(bounded.engine.conceptMemoSize).toBe(size);
    // beyond the bound: the next validation keys every concept again, and finds the same issues
    expect(summary(bounded.validate(one))).toEqual(summary(issues));
    expect(bounded.engine.conceptMemoSize).toBe(size);
    expect(summary(bounded.validate(variant(0)))).toEqual(summary(fresh.validate(variant(0))));
    expect(bounded.engine.conceptMemoSize).toBeLessThan(size);
  });
});
