/** ANA-00/QC-00 (specimen of the report), ANA-01 (analysis type = the order's), QC-01 to QC-05 (thresholds). */
import type { ValidationIssue } from '../validation/issue';
import { asArray, codings, isObject, type BundleContext, type ComponentRef, type Entry } from './context';
import type { CodedCheck, QcCheck, QuantityThreshold } from './data';
import type { Rule } from './rule';

function specimenOfReport(ruleId: string, profile: string): Rule {
  return (ctx) => {
    const report = ctx.single('ngc-genomic-report');
    if (!report) return [];
    const reportSpecimens = new Set(asArray(report.resource.specimen).map((r) => ctx.resolve(r)).filter((e) => e !== undefined));
    // A report without resolvable specimens is REP-05's error; no knock-on here.
    if (reportSpecimens.size === 0) return [];
    return ctx.withProfile(profile).flatMap((entry): ValidationIssue[] => {
      const specimen = ctx.resolve(entry.resource.specimen);
      // Unresolved or of the wrong profile: SUB-05 / the target-profile check say so.
      if (!specimen || specimen.profile !== 'ngc-specimen' || reportSpecimens.has(specimen)) return [];
      return [ctx.issue(ruleId, {
        code: 'business-rule',
        diagnostics: `specimen ${specimen.fullUrl ?? ''} is not one of the report's specimens`,
        expression: `${entry.path}.specimen.reference`,
      })];
    });
  };
}

export const ana00 = specimenOfReport('ANA-00', 'ngc-sequencing-analysis');
export const qc00 = specimenOfReport('QC-00', 'ngc-sequencing-qc');

/** The analysis type code of a CodeableConcept when it carries exactly one valid one. */
function analysisTypeCode(ctx: BundleContext, cc: unknown): string | undefined {
  const { system, codes } = ctx.data.codes.analysisTypes;
  const found = codings(cc).filter(({ coding }) => coding.system === system && typeof coding.code === 'string' && codes.includes(coding.code));
  return found.length === 1 ? (found[0].coding.code as string) : undefined;
}

function analysisTypeComponent(ctx: BundleContext, analysis: Entry) {
  const { system, code } = ctx.data.codes.analysisTypeComponent;
  const found = ctx.components(analysis, system, code);
  return found.length === 1 ? found[0] : undefined;
}

export const ana01: Rule = (ctx) => {
  const analysis = ctx.single('ngc-sequencing-analysis');
  const request = ctx.single('ngc-service-request');
  if (!analysis || !request) return [];
  const component = analysisTypeComponent(ctx, analysis);
  const analysed = component ? analysisTypeCode(ctx, component.component.valueCodeableConcept) : undefined;
  const ordered = analysisTypeCode(ctx, request.resource.code);
  if (!component || !analysed || !ordered || analysed === ordered) return [];
  return [ctx.issue('ANA-01', {
    code: 'business-rule',
    diagnostics: `The analysis type is ${analysed} but the ServiceRequest ordered ${ordered}`,
    expression: `${component.path}.valueCodeableConcept`,
  })];
};

/** The analysis type that chooses the QC thresholds: the analysis's own, else the order's. */
export function effectiveAnalysisType(ctx: BundleContext): string | undefined {
  const analysis = ctx.single('ngc-sequencing-analysis');
  const component = analysis ? analysisTypeComponent(ctx, analysis) : undefined;
  const own = component ? analysisTypeCode(ctx, component.component.valueCodeableConcept) : undefined;
  const request = ctx.single('ngc-service-request');
  const ordered = request ? analysisTypeCode(ctx, request.resource.code) : undefined;
  // When they disagree (ANA-01) the thresholds are unknowable: judge no QC rather than guess.
  if (own && ordered && own !== ordered) return undefined;
  return own ?? ordered;
}

/** Tumour column: any variant of the Bundle is Somatic. */
export function isTumour(ctx: BundleContext): boolean {
  const { component, somatic } = ctx.data.codes.genomicSourceClass;
  return ctx.withProfile('ngc-variant').some((v) =>
    ctx.components(v, component.system, component.code).some((c) => codings(c.component.valueCodeableConcept).some(({ coding }) => coding.system === component.system && coding.code === somatic)),
  );
}

function checkQuantity(ctx: BundleContext, check: QuantityThreshold, column: string, type: string, site: ComponentRef): ValidationIssue[] {
  const q = site.component.valueQuantity;
  // A missing value or another unit is the profile's error (fixed UCUM unit); no threshold judgement then.
  if (!isObject(q) || typeof q.value !== 'number' || q.code !== check.unit) return [];
  const ok = check.comparator === '>=' ? q.value >= check.threshold : q.value <= check.threshold;
  if (ok) return [];
  return [ctx.issue(check.rule, {
    code: 'business-rule',
    diagnostics: `${check.component.code} is ${q.value}${check.unit === '%' ? ' %' : ''}; ${type} (${column}) requires ${check.comparator} ${check.threshold}${check.unit === '%' ? ' %' : ''}`,
    expression: `${site.path}.valueQuantity.value`,
  })];
}

function checkCoded(ctx: BundleContext, check: CodedCheck, site: ComponentRef): ValidationIssue[] {
  const values = codings(site.component.valueCodeableConcept);
  const rejected = values.find(({ coding }) => check.rejected.some((r) => r.system === coding.system && r.code === coding.code));
  if (!rejected) return [];
  return [ctx.issue(check.rule, {
    code: 'business-rule',
    diagnostics: `${check.component.code} is ${String(rejected.coding.code)}: the sample cannot be reported`,
    expression: `${site.path}.valueCodeableConcept`,
  })];
}

export const qcThresholds: Rule = (ctx) => {
  const qc = ctx.single('ngc-sequencing-qc');
  const type = effectiveAnalysisType(ctx);
  const table = type ? ctx.data.qc.analysisTypes[type] : undefined;
  if (!qc || !type || !table) return [];
  const column = isTumour(ctx) ? 'tumour' : 'germline';
  const out: ValidationIssue[] = [];
  for (const check of table[column] as QcCheck[]) {
    const found = ctx.components(qc, check.component.system, check.component.code);
    if (found.length === 0) {
      if (check.required) {
        out.push(ctx.issue(check.rule, { code: 'required', diagnostics: `The QC has no ${check.component.code} component, required for ${type}`, expression: qc.resource.component === undefined ? qc.path : `${qc.path}.component` }));
      }
      continue;
    }
    if (found.length > 1) continue; // repeated component: the profile's slice cardinality
    out.push(...(check.kind === 'quantity' ? checkQuantity(ctx, check, column, type, found[0]) : checkCoded(ctx, check, found[0])));
  }
  return out;
};

export const analysisRules: Rule[] = [ana00, qc00, ana01, qcThresholds];
