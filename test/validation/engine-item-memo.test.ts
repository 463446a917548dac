/**
 * A slice item whose content recurs (an Observation.component: same code, same value) is checked
 * once per sliced element and content, and its issues are reused wherever the same content recurs,
 * in this validation and the ones after it. These tests put the same component content where its verdict differs:
 * under two profiles whose slices for that code constrain the value differently, under a slice
 * invariant that reads the resource around the component, and with element ids shared across
 * components. Each Observation inside the Bundle must get exactly the issues it gets when validated
 * alone by an engine that keeps no memos (a fresh run, where nothing is reused from other entries).
 */
import { createValidator, type EngineValidator, type ValidationIssue } from '../../src/validation';
import { observationConstraint, writePackage } from './engine-helpers';

const CODE = { coding: [{ system: 'http://example.org/codes', code: 'kind' }] };
const OTHER = { coding: [{ system: 'http://example.org/codes', code: 'other' }] };
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };

const PROFILE_BASE = 'http://example.org/StructureDefinition';
const profile = (name: string, kindSlice: object[]) =>
  observationConstraint(name, {
    differential: {
      element: [
        { id: 'Observation', path: 'Observation' },
        // a category is a slice item keyed by its whole content (its discriminator `coding` is an array)
        { id: 'Observation.category', path: 'Observation.category', slicing: { discriminator: [{ type: 'pattern', path: 'coding' }], rules: 'closed' } },
        { id: 'Observation.category:lab', path: 'Observation.category', sliceName: 'lab', min: 0, max: '*', patternCodeableConcept: LAB },
        { id: 'Observation.component', path: 'Observation.component', slicing: { discriminator: [{ type: 'pattern', path: 'code' }], rules: 'open' } },
        { id: 'Observation.component:kind', path: 'Observation.component', sliceName: 'kind', min: 0, max: '*' },
        { id: 'Observation.component:kind.code', path: 'Observation.component.code', patternCodeableConcept: CODE },
        ...kindSlice,
        { id: 'Observation.component:other', path: 'Observation.component', sliceName: 'other', min: 0, max: '*' },
        { id: 'Observation.component:other.code', path: 'Observation.component.code', patternCodeableConcept: OTHER },
      ],
    },
  });

// the same `kind` component: a string 'yes' in one profile, a concept only in the other, and one
// whose slice invariant reads the resource's status (the same component passes or fails by it)
const stringKind = profile('StringKind', [{ id: 'Observation.component:kind.value[x]', path: 'Observation.component.value[x]', type: [{ code: 'string' }], patternString: 'yes' }]);
const conceptKind = profile('ConceptKind', [{ id: 'Observation.component:kind.value[x]', path: 'Observation.component.value[x]', type: [{ code: 'CodeableConcept' }] }]);
const statusKind = profile('StatusKind', [
  {
    id: 'Observation.component:kind',
    path: 'Observation.component',
    constraint: [{ key: 'memo-1', severity: 'error', human: 'A kind component belongs to a final Observation', expression: "%resource.status = 'final'" }],
  },
]);

const PROFILES = ['string-kind', 'concept-kind', 'status-kind'];

function observation(i: number): Record<string, unknown> {
  const value = i % 5 === 0 ? { valueCodeableConcept: { coding: [{ system: 'http://example.org/codes', code: 'yes' }] } } : { valueString: i % 7 === 0 ? 'no' : 'yes' };
  const components: Record<string, unknown>[] = [
    { code: CODE, ...value },
    { code: OTHER, valueString: 'yes' },
    // the same content in another order, and with an id that another component of the entry repeats
    { ...value, code: CODE },
    ...(i % 4 === 1 ? [{ id: 'c', code: CODE, ...value }, { id: 'c', code: OTHER, valueBoolean: true }] : []),
  ];
  return {
    resourceType: 'Observation',
    meta: { profile: [`${PROFILE_BASE}/${PROFILES[i % PROFILES.length]}`] },
    status: i % 2 === 0 ? 'final' : 'preliminary',
    // the lab category, the same concept wrongly nested as a `coding` object, and another category
    category: [Math.floor(i / 3) % 3 === 0 ? LAB : Math.floor(i / 3) % 3 === 1 ? { coding: LAB } : { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] }],
    code: { text: 'memo test' },
    component: components,
  };
}

const summary = (issues: ValidationIssue[]) => issues.map((i) => `${i.severity}|${i.code}|${i.messageId}|${i.expression}|${i.diagnostics}`);

describe('reused slice item issues', () => {
  let v: EngineValidator;
  /** The same definitions, with every validation starting from no memos. */
  let fresh: EngineValidator;
  const count = 120;
  let bundle: Record<string, unknown> & { entry: unknown[] };
  let inBundle: ValidationIssue[];
  beforeAll(() => {
    const options = { includeNgc: false, packages: [writePackage('test.item.memo', [stringKind, conceptKind, statusKind])] };
    v = createValidator(options);
    fresh = createValidator({ ...options, store: v.conformance, conceptMemoSlots: 0 });
    bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: Array.from({ length: count }, (_, i) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource: observation(i) })),
    };
    inBundle = v.validate(bundle);
  });

  const inside = (i: number) => {
    const where = `Bundle.entry[${i}].resource`;
    return inBundle.filter((x) => x.expression === where || x.expression?.startsWith(`${where}.`));
  };

  it('are the issues of a fresh check, entry by entry', () => {
    for (let i = 0; i < count; i++) {
      const alone = fresh.validate(observation(i), { rootPath: `Bundle.entry[${i}].resource` });
      expect(summary(inside(i))).toEqual(summary(alone));
    }
  });

  it('are reused by the validations that follow, with the issues of a fresh check', () => {
    // the entries in another order: each item's first occurrence now stands where another one did
    const shuffled = { ...bundle, entry: bundle.entry.map((_, i) => bundle.entry[(i * 7) % count]) };
    expect(summary(v.validate(shuffled))).toEqual(summary(fresh.validate(shuffled)));
    for (let i = 0; i < 12; i++) {
      const where = `Bundle.entry[${i}].resource`;
      expect(summary(v.validate(observation(i), { rootPath: where }))).toEqual(summary(fresh.validate(observation(i), { rootPath: where })));
    }
  });

  it('differ where the same content stands under another slice or another resource', () => {
    const at = (i: number, component: number) => summary(inside(i).filter((x) => x.expression?.startsWith(`Bundle.entry[${i}].resource.component[${component}]`)));
    // entries 1 (concept-kind) and 6 (string-kind) carry the same component 0 (valueString 'yes')
    expect(at(6, 0)).toEqual([]);
    expect(at(1, 0)).toEqual([expect.stringMatching(/^error\|structure\|TYPE_NOT_ALLOWED\|Bundle\.entry\[1\]\.resource\.component\[0\]\.valueString\|/)]);
    // entries 2 (status-kind, final) and 11 (status-kind, preliminary): the same component, the invariant decides
    expect(at(2, 0)).toEqual([]);
    expect(at(11, 0)).toEqual([expect.stringMatching(/^error\|invariant\|INVARIANT\|Bundle\.entry\[11\]\.resource\.component\[0\]\|Constraint failed: memo-1/)]);
    // string-kind: a value other than the pattern fails wherever it recurs (entries 21 and 63)
    for (const i of [21, 63]) expect(at(i, 0)).toEqual([expect.stringMatching(/^error\|value\|PATTERN\|/)]);
    // under one profile (entries 0, 3, 6: i % 3 === 0), the nested `coding` object matches no slice
    // of the closed category slicing, the lab category does
    expect(summary(inside(3)).filter((s) => s.includes('|Bundle.entry[3].resource.category[0]|'))).toEqual([expect.stringMatching(/^error\|structure\|SLICE_CLOSED\|/)]);
    expect(summary(inside(0)).filter((s) => s.includes('.category'))).toEqual([]);
    // a repeated element id is reported on the second holder only
    expect(summary(inside(13)).filter((s) => s.includes('|Bundle.entry[13].resource.component[4]'))).toEqual([expect.stringMatching(/DUPLICATE|dup|unique/i)]);
  });
});
