/**
 * Generates the benchmark inputs (never committed as blobs): transaction Bundles shaped like a
 * genomics report: a Patient, Specimen, ServiceRequest, Organization, Practitioner, a
 * DiagnosticReport and variant Observations in the HL7 Genomics Reporting STU2 style.
 * Deterministic (seeded), so runs compare like with like.
 */
import type { Bundle, BundleEntry, Observation, Resource } from 'fhir/r4';

const GR = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const GENES = [
  ['HGNC:1100', 'BRCA1'],
  ['HGNC:1101', 'BRCA2'],
  ['HGNC:11998', 'TP53'],
  ['HGNC:7127', 'MLH1'],
  ['HGNC:3236', 'EGFR'],
];
const BASES = ['A', 'C', 'G', 'T'];

function uuid(n: number): string {
  return `urn:uuid:00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function loinc(code: string, display?: string) {
  return { coding: [{ system: 'http://loinc.org', code, ...(display ? { display } : {}) }] };
}

export function variantObservation(i: number, random: () => number, patientUrl: string, withProfiles: boolean): Observation {
  const [hgnc, symbol] = GENES[i % GENES.length];
  const start = 40_000_000 + Math.floor(random() * 1_000_000);
  const ref = BASES[Math.floor(random() * 4)];
  const alt = BASES[(BASES.indexOf(ref) + 1 + Math.floor(random() * 3)) % 4];
  return {
    resourceType: 'Observation',
    ...(withProfiles ? { meta: { profile: [`${GR}/variant`] } } : {}),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: loinc('69548-6', 'Genetic variant assessment'),
    subject: { reference: patientUrl },
    effectiveDateTime: '2024-03-01',
    valueCodeableConcept: loinc('LA9633-4', 'Present'),
    method: loinc('LA26398-0', 'Sequencing'),
    component: [
      { code: loinc('48018-6', 'Gene studied [ID]'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: hgnc, display: symbol }] } },
      { code: loinc('69547-8'), valueString: ref },
      { code: loinc('69551-0'), valueString: alt },
      { code: loinc('48002-0'), valueCodeableConcept: loinc('LA6683-2', 'Germline') },
      { code: loinc('48013-7'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/nuccore', code: 'NC_000017.11' }] } },
      { code: loinc('92822-6'), valueCodeableConcept: loinc('LA30102-0', '1-based character counting') },
      { code: loinc('81254-5'), valueRange: { low: { value: start }, high: { value: start + 1 } } },
      { code: loinc('53034-5'), valueCodeableConcept: loinc('LA6706-1', 'Heterozygous') },
      { code: loinc('81258-6'), valueQuantity: { value: Math.round(random() * 1000) / 1000, system: 'http://unitsofmeasure.org', code: '1' } },
    ],
  };
}

function entry(fullUrl: string, resource: Resource): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType } };
}

/** A transaction Bundle: 6 context resources, then `variants` variant Observations (and the report lists them). */
export function reportBundle(variants: number, options: { withProfiles?: boolean; seed?: number } = {}): Bundle {
  const random = rng(options.seed ?? 42);
  const withProfiles = options.withProfiles ?? false;
  const patient = uuid(1);
  const org = uuid(2);
  const practitioner = uuid(3);
  const specimen = uuid(4);
  const request = uuid(5);
  const report = uuid(6);
  const observations = Array.from({ length: variants }, (_, i) => ({ url: uuid(100 + i), resource: variantObservation(i, random, patient, withProfiles) }));
  const entries: BundleEntry[] = [
    entry(patient, {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: '0101701234' }],
      name: [{ family: 'Jensen', given: ['Anne'] }],
      gender: 'female',
      birthDate: '1970-01-01',
    } as Resource),
    entry(org, { resourceType: 'Organization', identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '6621000016002' }], name: 'Klinisk Genetisk Afdeling' } as Resource),
    entry(practitioner, { resourceType: 'Practitioner', name: [{ family: 'Hansen', given: ['Peter'] }] } as Resource),
    entry(specimen, {
      resourceType: 'Specimen',
      subject: { reference: patient },
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0487', code: 'BLD' }] },
      receivedTime: '2024-02-20T10:00:00+01:00',
    } as Resource),
    entry(request, {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      code: loinc('81247-9', 'Master HL7 genetic variant reporting panel'),
      subject: { reference: patient },
      requester: { reference: practitioner },
    } as Resource),
    entry(report, {
      resourceType: 'DiagnosticReport',
      ...(withProfiles ? { meta: { profile: [`${GR}/genomics-report`] } } : {}),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] }],
      code: loinc('51969-4', 'Genetic analysis report'),
      subject: { reference: patient },
      effectiveDateTime: '2024-03-01',
      issued: '2024-03-02T12:00:00+01:00',
      performer: [{ reference: org }],
      basedOn: [{ reference: request }],
      specimen: [{ reference: specimen }],
      result: observations.map((o) => ({ reference: o.url })),
    } as Resource),
    ...observations.map((o) => entry(o.url, o.resource)),
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
