/**
 * Checks where the engine follows the HL7 Java validator beyond the StructureDefinitions: the
 * narrative's allowed HTML (txt-1), resolve() inside invariants, corrected core invariants (que-12, ref-1, canonical names),
 * FHIR format names where a MIME type is bound, and CapabilityStatement search parameter types.
 */
import { createValidator, type EngineValidator } from '../../src/validation';
import { narrativeProblems, scanXhtml } from '../../src/validation/checks/xhtml';
import { correctedExpression } from '../../src/validation/compile/invariant-corrections';
import { NATIVE_EXPRESSIONS } from '../../src/validation/compile/native-invariants';
import { errors, observation, observationConstraint, withId } from './engine-helpers';

let v: EngineValidator;
beforeAll(() => {
  v = createValidator({ includeNgc: false });
});

const XHTML = 'xmlns="http://www.w3.org/1999/xhtml"';
const withDiv = (div: string) => observation({ text: { status: 'generated', div } });
const txt1 = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.messageId === 'INVARIANT' && i.diagnostics?.startsWith('Constraint failed: txt-1'));

describe('narrative XHTML (txt-1)', () => {
  it('accepts the formatting HTML a generated narrative uses', () => {
    const div =
      `<div ${XHTML}><p><b>Variant</b> <a href="#x" name="x">link</a></p><table class="grid" border="1"><thead><tr><th scope="col">Gene</th></tr></thead>` +
      `<tbody><tr><td colspan="1" style="color: red">BRCA1</td></tr></tbody></table><ul><li><img src="data:image/png;base64,AA==" alt="logo"/></li></ul>` +
      `<!-- a comment --><pre xml:space="preserve">  spaced  </pre></div>`;
    const issues = v.validate(withDiv(div));
    expect(errors(issues)).toEqual([]);
  });
  it('reports each illegal element and attribute by name, and txt-1 once, at the div', () => {
    const issues = v.validate(withDiv(`<div ${XHTML}><p onclick="go()">x</p><object value="1"/><script>alert(1)</script></div>`));
    const xhtml = withId(issues, 'XHTML', 'Observation.text.div').map((i) => i.diagnostics);
    expect(xhtml).toEqual([
      "Illegal attribute name in the XHTML ('onclick' on 'p')",
      "Illegal element name in the XHTML ('object')",
      "Illegal attribute name in the XHTML ('value' on 'object')",
      "Illegal element name in the XHTML ('script')",
    ]);
    expect(txt1(issues)).toHaveLength(1);
    expect(txt1(issues)[0]).toMatchObject({ severity: 'error', code: 'invariant', expression: 'Observation.text.div' });
    expect(errors(issues)).toHaveLength(5);
  });
  it('allows an attribute only on the elements it belongs to', () => {
    expect(errors(v.validate(withDiv(`<div ${XHTML}><img src="a.png" alt="a"/></div>`)))).toEqual([]);
    const issues = v.validate(withDiv(`<div ${XHTML}><p src="a.png">x</p></div>`));
    expect(withId(issues, 'XHTML').map((i) => i.diagnostics)).toEqual(["Illegal attribute name in the XHTML ('src' on 'p')"]);
  });
  it('reports malformed XHTML with txt-1', () => {
    const issues = v.validate(withDiv(`<div ${XHTML}><p>text</pa></div>`));
    expect(withId(issues, 'XHTML', 'Observation.text.div')[0].diagnostics).toContain('Found "</pa>" expecting "</p>"');
    expect(txt1(issues)).toHaveLength(1);
    const doctype = v.validate(withDiv(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><div ${XHTML}>&e;</div>`));
    expect(withId(doctype, 'XHTML').some((i) => i.diagnostics?.includes('DocType'))).toBe(true);
  });
  it('reports a block element inside a paragraph, and a wrong namespace inside the div, without txt-1', () => {
    const issues = v.validate(withDiv(`<div ${XHTML}><p>a <ul><li>b</li></ul></p><span xmlns="http://example.org/other">c</span></div>`));
    expect(withId(issues, 'XHTML').map((i) => i.diagnostics)).toEqual([
      "Illegal element name inside a paragraph in the XHTML ('ul')",
      "Wrong namespace on the XHTML ('http://example.org/other', should be 'http://www.w3.org/1999/xhtml')",
    ]);
    expect(txt1(issues)).toEqual([]);
  });
  it('requires some visible content (txt-2): text or an image', () => {
    const txt2 = (div: string) => v.validate(withDiv(div)).filter((i) => i.diagnostics?.startsWith('Constraint failed: txt-2'));
    const empty = txt2(`<div ${XHTML}>  <p> </p><!-- nothing to see --></div>`);
    expect(empty).toHaveLength(1);
    expect(empty[0]).toMatchObject({ severity: 'error', code: 'invariant', expression: 'Observation.text.div' });
    expect(txt2(`<div ${XHTML}/>`)).toHaveLength(1);
    expect(txt2(`<div ${XHTML}><p><img src="logo.png"/></p></div>`)).toEqual([]);
    expect(txt2(`<div ${XHTML}><p>&#160;x</p></div>`)).toEqual([]);
  });
  it('scans names, attributes and nesting of an XHTML fragment', () => {
    const scan = scanXhtml(`<div ${XHTML}><p a='1' b="2>3">x<br/></p></div>`);
    expect(scan.malformed).toBeUndefined();
    expect(scan.elements.map((e) => [e.name, e.depth, e.inParagraph])).toEqual([['div', 0, false], ['p', 1, false], ['br', 2, true]]);
    expect(scan.elements[1].attributes).toEqual([['a', '1'], ['b', '2>3']]);
    expect(narrativeProblems(scan).map((p) => p.message)).toEqual(["Illegal attribute name in the XHTML ('a' on 'p')", "Illegal attribute name in the XHTML ('b' on 'p')"]);
    expect(scanXhtml(`<div ${XHTML}><p>unclosed</div>`).malformed).toContain('expecting "</p>"');
    expect(scanXhtml(`<div ${XHTML}>x</div><div/>`).malformed).toBe('more than one outer element');
    expect(scanXhtml(`<div ${XHTML}><p class=unquoted>x</p></div>`).malformed).toContain('not quoted');
  });
});

describe('resolve() in invariants (ctm-1)', () => {
  const careTeam = (member: object, contained: object[] = []) => ({
    resourceType: 'CareTeam',
    id: 'ct1',
    text: { status: 'generated', div: `<div ${XHTML}>team</div>` },
    ...(contained.length ? { contained } : {}),
    participant: [{ member, onBehalfOf: { reference: 'Organization/o1' } }],
  });
  const ctm1 = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.diagnostics?.startsWith('Constraint failed: ctm-1'));

  it('passes when the member resolves to a contained Practitioner', () => {
    const issues = v.validate(careTeam({ reference: '#pr1' }, [{ resourceType: 'Practitioner', id: 'pr1' }]));
    expect(ctm1(issues)).toEqual([]);
    expect(withId(issues, 'INVARIANT_ERROR')).toEqual([]);
  });
  it('fails when the member resolves to a contained resource of another type', () => {
    const issues = v.validate(careTeam({ reference: '#rp1' }, [{ resourceType: 'RelatedPerson', id: 'rp1', patient: { reference: 'Patient/p1' } }]));
    expect(ctm1(issues)).toHaveLength(1);
    expect(ctm1(issues)[0]).toMatchObject({ severity: 'error', expression: 'CareTeam.participant[0]' });
  });
  it('resolves Bundle entries by fullUrl and by type/id', () => {
    const bundle = (memberRef: string, target: object) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'http://example.org/fhir/CareTeam/ct1', resource: careTeam({ reference: memberRef }) },
        { fullUrl: 'urn:uuid:9d3e7a52-1c5b-4e8f-9a63-0b7c2d4e5f60', resource: target },
      ],
    });
    const patient = { resourceType: 'Patient', id: 'pt1' };
    const practitioner = { resourceType: 'Practitioner', id: 'pt1' };
    expect(ctm1(v.validate(bundle('urn:uuid:9d3e7a52-1c5b-4e8f-9a63-0b7c2d4e5f60', patient)))).toHaveLength(1);
    expect(ctm1(v.validate(bundle('urn:uuid:9d3e7a52-1c5b-4e8f-9a63-0b7c2d4e5f60', practitioner)))).toEqual([]);
    const byTypeId = ctm1(v.validate(bundle('Patient/pt1', patient)));
    expect(byTypeId).toHaveLength(1);
    expect(byTypeId[0].expression).toBe('Bundle.entry[0].resource.participant[0]');
  });
  it('passes a member that does not resolve, as R4 ctm-1 says (iif(empty(), true, ...))', () => {
    expect(ctm1(v.validate(careTeam({ display: 'someone' })))).toEqual([]);
    expect(ctm1(v.validate(careTeam({ reference: 'Practitioner/elsewhere' })))).toEqual([]);
  });
});

describe('corrected core invariants (que-12)', () => {
  const questionnaire = (enableWhen: number, enableBehavior?: string) => ({
    resourceType: 'Questionnaire',
    id: 'q1',
    text: { status: 'generated', div: `<div ${XHTML}>q</div>` },
    status: 'draft',
    item: [
      { linkId: 'a', type: 'boolean' },
      {
        linkId: 'b',
        type: 'string',
        enableWhen: Array.from({ length: enableWhen }, () => ({ question: 'a', operator: '=', answerBoolean: true })),
        ...(enableBehavior ? { enableBehavior } : {}),
      },
    ],
  });
  const que12 = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.diagnostics?.startsWith('Constraint failed: que-12'));
  it('requires enableBehavior from two enableWhen on (4.0.1 says more than two)', () => {
    expect(que12(v.validate(questionnaire(2)))).toHaveLength(1);
    expect(que12(v.validate(questionnaire(2)))[0]).toMatchObject({ severity: 'error', expression: 'Questionnaire.item[1]' });
  });
  it('passes one enableWhen, or two with enableBehavior', () => {
    expect(que12(v.validate(questionnaire(1)))).toEqual([]);
    expect(que12(v.validate(questionnaire(2, 'all')))).toEqual([]);
  });
});

describe('corrected core invariants (ref-1)', () => {
  const withContained = (targetRef: string) =>
    observation({
      contained: [{ resourceType: 'Provenance', id: 'prov', target: [{ reference: targetRef }], recorded: '2026-11-25T10:00:00Z', agent: [{ who: { display: 'lab' } }] }],
      derivedFrom: [{ reference: '#prov' }],
    });
  const ref1 = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.diagnostics?.startsWith('Constraint failed: ref-1'));
  it("lets a contained resource refer to its container with '#' (the published text fails it)", () => {
    expect(ref1(v.validate(withContained('#')))).toEqual([]);
  });
  it('still fails a local reference to a contained resource that is not there', () => {
    const issues = ref1(v.validate(withContained('#nowhere')));
    expect(issues).toHaveLength(1);
    expect(issues[0].expression).toBe('Observation.contained[0].target[0]');
  });
  it('keeps the corrected ref-1 on the fast native path', () => {
    const published = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";
    expect(correctedExpression(published)).toBe(NATIVE_EXPRESSIONS['ref-1'].expression);
    expect(correctedExpression('reference.exists()')).toBe('reference.exists()');
  });
});

describe('corrected core invariants (canonical names)', () => {
  const valueSet = (name: string) => ({ resourceType: 'ValueSet', id: 'vs1', text: { status: 'generated', div: `<div ${XHTML}>vs</div>` }, status: 'draft', name });
  const vsd0 = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.diagnostics?.startsWith('Constraint failed: vsd-0'));
  it('warns when the whole name is not usable as an identifier (not just some part of it)', () => {
    expect(vsd0(v.validate(valueSet('myValueSet')))).toHaveLength(1);
    expect(vsd0(v.validate(valueSet('myValueSet')))[0]).toMatchObject({ severity: 'warning', expression: 'ValueSet' });
    expect(vsd0(v.validate(valueSet('Genomic variant codes')))).toHaveLength(1);
  });
  it('accepts an identifier-like name', () => {
    expect(vsd0(v.validate(valueSet('GenomicVariantCodes')))).toEqual([]);
  });
});

describe('narrative links: URLs with characters a URL cannot hold', () => {
  const patient = (div: string) => ({ resourceType: 'Patient', id: 'p1', text: { status: 'generated', div } });
  const urlProblems = (issues: ReturnType<EngineValidator['validate']>) => issues.filter((i) => i.diagnostics?.startsWith('URL contains invalid characters'));

  it('reports an href with braces, once, as an error at the div (and not as txt-1)', () => {
    const issues = v.validate(patient('<div xmlns="http://www.w3.org/1999/xhtml">text <a href="http://example.com/{[-}]/link.html">link</a></div>'));
    expect(urlProblems(issues)).toEqual([expect.objectContaining({ severity: 'error', expression: 'Patient.text.div' })]);
    expect(issues.filter((i) => i.diagnostics?.includes('txt-1'))).toEqual([]);
  });

  it('accepts relative and absolute links, queries, fragments and escapes', () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml">text <a href="link.html">a</a> <a href="http://example.com/a%20b?x=1&amp;y=[2]#top">b</a> <img src="#pic"/></div>';
    expect(urlProblems(v.validate(patient(div)))).toEqual([]);
  });
});

describe('corrected core invariants (eld-19, eld-20: element paths)', () => {
  const sd = (path: string) => observationConstraint('ObsX', { differential: { element: [{ id: path, path }] } });
  const about = (issues: ReturnType<EngineValidator['validate']>, key: string) => issues.filter((i) => i.diagnostics?.includes(key));

  it('evaluates both on a well-formed path, without failing and without a problem evaluating them', () => {
    const issues = v.validate(sd('Observation.value[x]'));
    expect(about(issues, 'eld-19')).toEqual([]);
    expect(about(issues, 'eld-20')).toEqual([]);
  });

  it('fails eld-19 (error) and eld-20 (warning) on a path with an empty name part, as HL7 does', () => {
    const issues = v.validate(sd('Observation...unit'));
    expect(about(issues, 'eld-19')).toEqual([expect.objectContaining({ severity: 'error', expression: 'StructureDefinition.differential.element[0]' })]);
    expect(about(issues, 'eld-20')).toEqual([expect.objectContaining({ severity: 'warning', expression: 'StructureDefinition.differential.element[0]' })]);
  });

  it('fails eld-20 only when just the style rule is broken (a name part starting upper case)', () => {
    const issues = v.validate(sd('Observation.Value'));
    expect(about(issues, 'eld-19')).toEqual([]);
    expect(about(issues, 'eld-20')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });
});

describe('CapabilityStatement', () => {
  const capability = (format: string[], searchParam: object[]) => ({
    resourceType: 'CapabilityStatement',
    text: { status: 'generated', div: `<div ${XHTML}>cs</div>` },
    status: 'draft',
    date: '2026-11-25',
    kind: 'requirements',
    description: 'What a server must do',
    fhirVersion: '4.0.1',
    format,
    rest: [{ mode: 'server', resource: [{ type: 'Condition', searchParam }] }],
  });
  it('accepts the format names xml, json and ttl besides MIME types, and rejects other words', () => {
    const code = { name: 'code', definition: 'http://hl7.org/fhir/SearchParameter/clinical-code', type: 'token' };
    expect(errors(v.validate(capability(['xml', 'json', 'ttl', 'application/fhir+json'], [code])))).toEqual([]);
    expect(withId(v.validate(capability(['yaml'], [code])), 'BINDING_REQUIRED', 'CapabilityStatement.format[0]')).toHaveLength(1);
  });
  it('requires a search parameter type to match its core SearchParameter definition', () => {
    const good = { name: 'code', definition: 'http://hl7.org/fhir/SearchParameter/clinical-code', type: 'token' };
    const bad = { name: 'onset-date', definition: 'http://hl7.org/fhir/SearchParameter/Condition-onset-date', type: 'string' };
    const unknown = { name: 'local', definition: 'http://example.org/SearchParameter/local', type: 'string' };
    const issues = v.validate(capability(['json'], [good, bad, unknown]));
    expect(errors(issues)).toHaveLength(1);
    expect(withId(issues, 'CAPABILITY_SEARCH_PARAM_TYPE', 'CapabilityStatement.rest[0].resource[0].searchParam[1]')[0].diagnostics).toContain("has the type 'date', but the type here is 'string'");
  });
});
