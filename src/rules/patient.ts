/** PAT-02, PAT-03 (parity), PAT-04: what the CPR number's digits say about the patient. */
import type { ValidationIssue } from '../validation/issue';
import { asArray, isObject, type BundleContext, type Entry } from './context';
import { CPR_SYSTEM, decodeCpr, type CprInfo } from './cpr';
import type { Rule } from './rule';

interface CprSite {
  entry: Entry;
  path: string;
  value: string;
}

function cprIdentifiers(ctx: BundleContext): CprSite[] {
  return ctx.entries
    .filter((e) => e.resource.resourceType === 'Patient')
    .flatMap((entry) =>
      asArray(entry.resource.identifier).flatMap((id, i) =>
        isObject(id) && id.system === CPR_SYSTEM && typeof id.value === 'string' ? [{ entry, path: `${entry.path}.identifier[${i}].value`, value: id.value }] : [],
      ),
    );
}

/** The decoded CPR of a patient when it has exactly one CPR identifier that passes PAT-02. */
function validCpr(site: CprSite): CprInfo | undefined {
  const r = decodeCpr(site.value);
  return r.ok ? r.value : undefined;
}

export const pat02: Rule = (ctx) =>
  cprIdentifiers(ctx).flatMap((site): ValidationIssue[] => {
    const r = decodeCpr(site.value);
    // The form (10 digits) is the profile's invariant; only the date logic is checked here.
    if (r.ok || r.reason === 'form') return [];
    return [ctx.issue('PAT-02', { code: 'value', diagnostics: `CPR number: ${r.message}`, expression: site.path })];
  });

export const pat03: Rule = (ctx) =>
  cprIdentifiers(ctx).flatMap((site): ValidationIssue[] => {
    const cpr = validCpr(site);
    const gender = site.entry.resource.gender;
    if (!cpr || (gender !== 'male' && gender !== 'female') || gender === cpr.sex) return [];
    return [
      ctx.issue('PAT-03', {
        code: 'business-rule',
        diagnostics: `gender is '${gender}' but the CPR number's last digit is ${cpr.sex === 'male' ? 'odd (male)' : 'even (female)'}`,
        expression: `${site.entry.path}.gender`,
      }),
    ];
  });

export const pat04: Rule = (ctx) =>
  cprIdentifiers(ctx).flatMap((site): ValidationIssue[] => {
    const cpr = validCpr(site);
    const birthDate = site.entry.resource.birthDate;
    if (!cpr || typeof birthDate !== 'string' || birthDate === cpr.birthDate) return [];
    return [
      ctx.issue('PAT-04', {
        code: 'business-rule',
        diagnostics: `birthDate ${birthDate} differs from the date encoded in the CPR number (${cpr.birthDate})`,
        expression: `${site.entry.path}.birthDate`,
      }),
    ];
  });

export const patientRules: Rule[] = [pat02, pat03, pat04];
