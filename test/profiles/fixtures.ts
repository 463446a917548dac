/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are plain FHIR JSON that tests mutate at any depth */
/**
 * One valid resource per NGC profile (a germline WES case), for tests of the profiles. Each call
 * returns fresh objects so a test can break one element without affecting the others.
 */
const NGC = 'http://ngc.dk/fhir/genomics';
const LOINC = 'http://loinc.org';
const OBS = `${NGC}/CodeSystem/ngc-observation-code`;

export const profileUrl = (id: string): string => `${NGC}/StructureDefinition/${id}`;

const categories = () => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] },
];
const loinc = (code: string, display?: string) => ({ coding: [{ system: LOINC, code, ...(display ? { display } : {}) }] });
const obsCode = (code: string) => ({ coding: [{ system: OBS, code }] });
const patientRef = { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000001' };
const specimenRef = { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000004' };

export function patient(): Record<string, any> {
  return {
    resourceType: 'Patient',
    meta: { profile: [profileUrl('ngc-patient')] },
    identifier: [{ use: 'official', system: 'urn:oid:1.2.208.176.1.2', value: '0101904521' }],
    gender: 'male',
  };
}

export function organization(): Record<string, any> {
  return {
    resourceType: 'Organization',
    meta: { profile: [profileUrl('ngc-organization')] },
    identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '265161000016003' }],
    name: 'Klinisk Genetisk Afdeling, Rigshospitalet',
  };
}

export function serviceRequest(): Record<string, any> {
  return {
    resourceType: 'ServiceRequest',
    meta: { profile: [profileUrl('ngc-service-request')] },
    status: 'completed',
    intent: 'order',
    category: [{ coding: [{ system: `${NGC}/CodeSystem/ngc-purpose`, code: 'diagnostic' }] }],
    code: { coding: [{ system: `${NGC}/CodeSystem/ngc-analysis-type`, code: 'WES' }] },
    subject: patientRef,
    authoredOn: '2026-09-01T10:00:00+02:00',
    requester: { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000002' },
    reasonCode: [{ coding: [{ system: `${NGC}/CodeSystem/ngc-indication`, code: 'R01' }] }],
  };
}

export function specimen(): Record<string, any> {
  return {
    resourceType: 'Specimen',
    meta: { profile: [profileUrl('ngc-specimen')] },
    identifier: [{ system: 'http://rh.dk/lab/specimen', value: 'S-2026-0042' }],
    type: { coding: [{ system: 'http://snomed.info/sct', code: '119297000' }] },
    subject: patientRef,
    collection: { collectedDateTime: '2026-09-02T08:30:00+02:00' },
  };
}

export function genomicReport(): Record<string, any> {
  return {
    resourceType: 'DiagnosticReport',
    meta: { profile: [profileUrl('ngc-genomic-report')] },
    identifier: [{ system: 'http://rh.dk/lab/report', value: 'R-2026-0042' }],
    basedOn: [{ reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000003' }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] }],
    code: loinc('51969-4', 'Genetic analysis report'),
    subject: patientRef,
    effectiveDateTime: '2026-09-20T12:00:00+02:00',
    issued: '2026-09-21T09:00:00+02:00',
    performer: [{ reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000002' }],
    specimen: [specimenRef],
    result: [
      { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000005' },
      { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000006' },
      { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000007' },
      { reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000008' },
    ],
    conclusionCode: [loinc('LA6576-8', 'Positive')],
  };
}

export function sequencingAnalysis(): Record<string, any> {
  return {
    resourceType: 'Observation',
    meta: { profile: [profileUrl('ngc-sequencing-analysis')] },
    status: 'final',
    category: categories(),
    code: obsCode('sequencing-analysis'),
    subject: patientRef,
    specimen: specimenRef,
    component: [
      { code: obsCode('analysis-type'), valueCodeableConcept: { coding: [{ system: `${NGC}/CodeSystem/ngc-analysis-type`, code: 'WES' }] } },
      { code: loinc('62374-4'), valueCodeableConcept: loinc('LA26806-2', 'GRCh38') },
      { code: obsCode('sequencing-platform'), valueString: 'Illumina NovaSeq 6000' },
      { code: obsCode('pipeline'), valueString: 'nf-core/sarek' },
      { code: obsCode('pipeline-version'), valueString: '3.4.0' },
      { code: obsCode('target-regions'), valueString: 'Twist Exome 2.0' },
    ],
  };
}

export function sequencingQc(): Record<string, any> {
  const quantity = (code: string, value: number, unit: string) => ({
    code: obsCode(code),
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  });
  return {
    resourceType: 'Observation',
    meta: { profile: [profileUrl('ngc-sequencing-qc')] },
    status: 'final',
    category: categories(),
    code: obsCode('sequencing-qc'),
    subject: patientRef,
    specimen: specimenRef,
    component: [
      quantity('mean-coverage', 112, '1'),
      quantity('pct-bases-20x', 97.5, '%'),
      quantity('pct-q30', 91.2, '%'),
      quantity('contamination', 0.4, '%'),
      { code: obsCode('sex-check'), valueCodeableConcept: obsCode('concordant') },
    ],
  };
}

export function variant(): Record<string, any> {
  const hgvs = (code: string) => ({ coding: [{ system: 'http://varnomen.hgvs.org', code }] });
  return {
    resourceType: 'Observation',
    meta: { profile: [profileUrl('ngc-variant')] },
    status: 'final',
    category: categories(),
    code: loinc('69548-6', 'Genetic variant assessment'),
    subject: patientRef,
    specimen: specimenRef,
    valueCodeableConcept: loinc('LA9633-4', 'Present'),
    component: [
      { code: loinc('48018-6'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:1100', display: 'BRCA1' }] } },
      { code: loinc('81290-9'), valueCodeableConcept: hgvs('NC_000017.11:g.43106487A>G') },
      { code: loinc('48004-6'), valueCodeableConcept: hgvs('NM_007294.4:c.181T>C') },
      { code: loinc('48005-3'), valueCodeableConcept: hgvs('NP_009225.1:p.(Cys61Arg)') },
      { code: loinc('51958-7'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: 'NM_007294.4' }] } },
      { code: loinc('62374-4'), valueCodeableConcept: loinc('LA26806-2', 'GRCh38') },
      { code: loinc('81254-5'), valueRange: { low: { value: 43106487 }, high: { value: 43106487 } } },
      { code: loinc('69547-8'), valueString: 'A' },
      { code: loinc('69551-0'), valueString: 'G' },
      { code: loinc('92822-6'), valueCodeableConcept: loinc('LA30102-0') },
      { code: loinc('48002-0'), valueCodeableConcept: loinc('LA6683-2', 'Germline') },
      { code: loinc('53034-5'), valueCodeableConcept: loinc('LA6706-1', 'Heterozygous') },
      { code: loinc('82121-5'), valueQuantity: { value: 48 } },
      { code: loinc('48019-4'), valueCodeableConcept: { coding: [{ system: 'http://www.sequenceontology.org', code: 'SO:0001483' }] } },
      { code: loinc('81252-9'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/clinvar', code: '17661' }] } },
    ],
  };
}

export function diagnosticImplication(): Record<string, any> {
  return {
    resourceType: 'Observation',
    meta: { profile: [profileUrl('ngc-diagnostic-implication')] },
    status: 'final',
    category: categories(),
    code: { coding: [{ system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs', code: 'diagnostic-implication' }] },
    subject: patientRef,
    derivedFrom: [{ reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000007' }],
    component: [
      { code: loinc('53037-8'), valueCodeableConcept: loinc('LA6668-3', 'Pathogenic') },
      { code: loinc('81259-4'), valueCodeableConcept: { coding: [{ system: 'http://human-phenotype-ontology.org', code: 'HP:0003002' }] } },
      { code: obsCode('acmg-criteria'), valueCodeableConcept: { coding: [{ system: `${NGC}/CodeSystem/ngc-acmg-criteria`, code: 'PS3' }] } },
    ],
  };
}

export function dataFile(): Record<string, any> {
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [profileUrl('ngc-data-file')] },
    status: 'current',
    subject: patientRef,
    content: [
      {
        attachment: {
          extension: [
            { url: `${NGC}/StructureDefinition/ngc-sha256`, valueString: 'a'.repeat(64) },
            { url: `${NGC}/StructureDefinition/ngc-file-size`, valueDecimal: 5368709120 },
          ],
          url: 'https://storage.ngc.dk/files/S-2026-0042.cram',
        },
        format: { system: `${NGC}/CodeSystem/ngc-file-format`, code: 'cram-3.1' },
      },
    ],
  };
}

/** Every fixture keyed by the id of the profile it conforms to. */
export const VALID: Record<string, () => Record<string, any>> = {
  'ngc-patient': patient,
  'ngc-organization': organization,
  'ngc-service-request': serviceRequest,
  'ngc-specimen': specimen,
  'ngc-genomic-report': genomicReport,
  'ngc-sequencing-analysis': sequencingAnalysis,
  'ngc-sequencing-qc': sequencingQc,
  'ngc-variant': variant,
  'ngc-diagnostic-implication': diagnosticImplication,
  'ngc-data-file': dataFile,
};
