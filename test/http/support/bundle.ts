/** A typical NGC submission Bundle for the HTTP tests (shape of the standard; one report, one variant). */
export const PERFORMER_SOR = '6021000016009';
export const PATIENT_CPR = '0101011234';

export function typicalBundle(identifierValue = 'report-2026-0001', overrides: { sor?: string; cpr?: string; note?: string } = {}): Record<string, unknown> {
  const u = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const profile = (id: string) => ({ profile: [`http://ngc.dk/fhir/genomics/StructureDefinition/${id}`] });
  const entry = (n: number, resource: Record<string, unknown>) => ({ fullUrl: u(n), resource, request: { method: 'POST', url: resource.resourceType } });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    identifier: { system: 'https://lab.regionh.dk/ngc-submissions', value: identifierValue },
    timestamp: '2026-11-20T10:00:00+01:00',
    entry: [
      entry(1, { resourceType: 'Patient', meta: profile('ngc-patient'), identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: overrides.cpr ?? PATIENT_CPR }], gender: 'female', birthDate: '2001-01-01' }),
      entry(2, { resourceType: 'Organization', meta: profile('ngc-organization'), identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: overrides.sor ?? PERFORMER_SOR }], name: 'Klinisk Genetisk Afdeling, Rigshospitalet' }),
      entry(3, {
        resourceType: 'DiagnosticReport',
        meta: profile('ngc-genomic-report'),
        identifier: [{ system: 'https://lab.regionh.dk/reports', value: `R-${identifierValue}` }],
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '51969-4' }] },
        subject: { reference: u(1) },
        performer: [{ reference: u(2) }],
        effectiveDateTime: '2026-11-18T09:00:00+01:00',
        issued: '2026-11-19T12:00:00+01:00',
        result: [{ reference: u(4) }],
        conclusion: overrides.note ?? 'Heterozygous pathogenic variant identified',
      }),
      entry(4, {
        resourceType: 'Observation',
        meta: profile('ngc-variant'),
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
        subject: { reference: u(1) },
        component: [{ code: { coding: [{ system: 'http://loinc.org', code: '48004-6' }] }, valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: 'NM_000492.4:c.1521_1523del' }] } }],
      }),
    ],
  };
}

/** The resource of entry `i`, for tests that break one element. */
export function resourceAt(bundle: Record<string, unknown>, i: number): Record<string, unknown> {
  return (bundle.entry as Array<{ resource: Record<string, unknown> }>)[i].resource;
}
