/** Rules across the report and the resources it points at: dates (SRQ-04, SPC-03, REP-06), REP-07, REP-08, target profiles. */
import type { ValidationIssue } from '../validation/issue';
import { asArray, codings, isObject, type BundleContext, type Entry } from './context';
import type { Rule } from './rule';
import { certainlyAfter, inFuture, parseFhirTime } from './time';

/** A reference to an entry of an allowed type but another NGC profile than the element allows. */
export const targetProfiles: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  for (const entry of ctx.entries) {
    if (!entry.profile) continue;
    const def = ctx.data.profiles.profiles[entry.profile];
    for (const site of ctx.references(entry)) {
      const allowed = def.references[site.element];
      const target = ctx.resolve(site.ref);
      if (!allowed || !target) continue; // SUB-05 reports those
      const rule = def.targetRules[site.element] ?? 'SUB-05';
      const allowedTypes = ctx.targetTypes(entry.profile, site.element) as ReadonlySet<string>;
      // A wrong resource type is SUB-05's unless the standard names a rule for this reference.
      if (!allowedTypes.has(target.resource.resourceType) && rule === 'SUB-05') continue;
      // The target's own profile is unknown: SUB-06 says so.
      if (allowedTypes.has(target.resource.resourceType) && !target.profile) continue;
      if (target.profile && allowed.includes(target.profile)) continue;
      out.push(ctx.issue(rule, {
        code: 'business-rule',
        diagnostics: `${entry.profile}.${site.element} must reference ${allowed.join(' or ')}, not ${target.profile ?? target.resource.resourceType}`,
        expression: `${site.path}.reference`,
      }));
    }
  }
  return out;
};

export const srq04: Rule = (ctx) => {
  const request = ctx.single('ngc-service-request');
  const report = ctx.single('ngc-genomic-report');
  if (!request || !report) return [];
  const authored = parseFhirTime(request.resource.authoredOn);
  const issued = parseFhirTime(report.resource.issued);
  if (!authored || !issued || !certainlyAfter(authored, issued)) return [];
  return [ctx.issue('SRQ-04', {
    code: 'business-rule',
    diagnostics: `authoredOn ${String(request.resource.authoredOn)} is after the report's issued ${String(report.resource.issued)}`,
    expression: `${request.path}.authoredOn`,
  })];
};

export const spc03: Rule = (ctx) => {
  const report = ctx.single('ngc-genomic-report');
  const effective = report ? parseFhirTime(report.resource.effectiveDateTime) : null;
  if (!effective) return [];
  return ctx.withProfile('ngc-specimen').flatMap((specimen): ValidationIssue[] => {
    const collection = specimen.resource.collection;
    const collected = isObject(collection) ? parseFhirTime(collection.collectedDateTime) : null;
    if (!collected || !certainlyAfter(collected, effective)) return [];
    return [ctx.issue('SPC-03', {
      code: 'business-rule',
      diagnostics: `collectedDateTime ${String((collection as Record<string, unknown>).collectedDateTime)} is after the report's effectiveDateTime ${String(report?.resource.effectiveDateTime)}`,
      expression: `${specimen.path}.collection.collectedDateTime`,
    })];
  });
};

export const rep06: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  for (const report of ctx.withProfile('ngc-genomic-report')) {
    const effective = parseFhirTime(report.resource.effectiveDateTime);
    const issued = parseFhirTime(report.resource.issued);
    if (effective && inFuture(effective, ctx.now)) {
      out.push(ctx.issue('REP-06', { code: 'business-rule', diagnostics: `effectiveDateTime ${String(report.resource.effectiveDateTime)} lies more than 5 minutes in the future`, expression: `${report.path}.effectiveDateTime` }));
    }
    if (issued && inFuture(issued, ctx.now)) {
      out.push(ctx.issue('REP-06', { code: 'business-rule', diagnostics: `issued ${String(report.resource.issued)} lies more than 5 minutes in the future`, expression: `${report.path}.issued` }));
    }
    if (effective && issued && certainlyAfter(effective, issued)) {
      out.push(ctx.issue('REP-06', {
        code: 'business-rule',
        diagnostics: `issued ${String(report.resource.issued)} is before effectiveDateTime ${String(report.resource.effectiveDateTime)}`,
        expression: `${report.path}.issued`,
      }));
    }
  }
  return out;
};

export const rep07: Rule = (ctx) => {
  const report = ctx.single('ngc-genomic-report');
  if (!report) return [];
  const referenced = new Set(asArray(report.resource.result).map((r) => ctx.resolve(r)));
  const at = report.resource.result === undefined ? report.path : `${report.path}.result`;
  return ctx.entries
    .filter((e) => e.profile && ctx.data.profiles.reportResults.includes(e.profile) && !referenced.has(e))
    .map((e) => ctx.issue('REP-07', {
      code: 'business-rule',
      diagnostics: `DiagnosticReport.result does not reference the ${e.profile} ${e.fullUrl ?? `at ${e.path}`}`,
      expression: at,
    }));
};

/** Clinical significance codes of a diagnostic implication; null when it has no single valid one. */
function significance(ctx: BundleContext, entry: Entry): string | null {
  const { component, all } = ctx.data.codes.clinicalSignificance;
  const found = ctx.components(entry, component.system, component.code);
  if (found.length !== 1) return null;
  const codes = codings(found[0].component.valueCodeableConcept)
    .filter(({ coding }) => coding.system === 'http://loinc.org' && typeof coding.code === 'string' && all.includes(coding.code))
    .map(({ coding }) => coding.code as string);
  return codes.length === 1 ? codes[0] : null;
}

export const rep08: Rule = (ctx) => {
  const report = ctx.single('ngc-genomic-report');
  if (!report) return [];
  const { system, positive, negative } = ctx.data.codes.overallInterpretation;
  const concl = asArray(report.resource.conclusionCode);
  if (concl.length !== 1) return []; // cardinality: the profile's
  const conclusion = codings(concl[0]).find(({ coding }) => coding.system === system && (coding.code === positive || coding.code === negative));
  if (!conclusion) return [];
  const implications = ctx.withProfile('ngc-diagnostic-implication').map((e) => significance(ctx, e));
  // An implication without a valid classification is DIM-02's error; judge the report only on valid ones.
  if (implications.includes(null)) return [];
  const pathogenic = implications.filter((c) => c !== null && ctx.data.codes.clinicalSignificance.pathogenic.includes(c)).length;
  const at = `${report.path}.conclusionCode[0]`;
  if (conclusion.coding.code === positive && pathogenic === 0) {
    return [ctx.issue('REP-08', { code: 'business-rule', diagnostics: 'The report is Positive but no diagnostic implication is Pathogenic or Likely pathogenic', expression: at })];
  }
  if (conclusion.coding.code === negative && pathogenic > 0) {
    return [ctx.issue('REP-08', { code: 'business-rule', diagnostics: `The report is Negative but ${pathogenic} diagnostic implication(s) are Pathogenic or Likely pathogenic`, expression: at })];
  }
  return [];
};

export const reportRules: Rule[] = [targetProfiles, srq04, spc03, rep06, rep07, rep08];
