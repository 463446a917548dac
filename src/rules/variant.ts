/**
 * Variant consistency: HGVS parses (VAR-08) with 3-letter amino acids (VAR-04), on a GRCh38
 * chromosome (VAR-07), and agrees with the transcript (VAR-05), start-end (VAR-09), alleles (VAR-10)
 * and change type (VAR-16). Each check runs only when what it compares against is itself valid.
 */
import type { ValidationIssue } from '../validation/issue';
import { codings, isObject, type BundleContext, type ComponentRef, type Entry } from './context';
import type { Chromosome } from './data';
import { locationBounds, parseHgvs, type HgvsVariant, type NucleotideVariant } from './hgvs';
import type { Rule } from './rule';

class HgvsSite {
  constructor(
    readonly component: ComponentRef,
    private readonly codingIndex: number,
    readonly code: string,
    readonly parsed: HgvsVariant | null,
  ) {}

  /** `....component[1].valueCodeableConcept.coding[0].code`, spelled out only when reported. */
  get path(): string {
    return `${this.component.path}.valueCodeableConcept.coding[${this.codingIndex}].code`;
  }
}

/** The HGVS codings of the one component with this LOINC code; undefined when absent or repeated. */
function hgvsSite(ctx: BundleContext, variant: Entry, loinc: string): HgvsSite | undefined {
  const found = ctx.components(variant, ctx.data.codes.variantComponents.system, loinc);
  if (found.length !== 1) return undefined;
  const hgvs = codings(found[0].component.valueCodeableConcept).filter(({ coding }) => coding.system === ctx.data.codes.hgvsSystem && typeof coding.code === 'string');
  if (hgvs.length !== 1) return undefined;
  const code = hgvs[0].coding.code as string;
  const result = parseHgvs(code);
  return new HgvsSite(found[0], hgvs[0].index, code, result.ok ? result.value : null);
}

function oneOf(ctx: BundleContext, variant: Entry, loinc: string): ComponentRef | undefined {
  const found = ctx.components(variant, ctx.data.codes.variantComponents.system, loinc);
  return found.length === 1 ? found[0] : undefined;
}

interface VariantFacts {
  entry: Entry;
  g?: HgvsSite;
  c?: HgvsSite;
  p?: HgvsSite;
  /** The g. description when it parses as a g. description. */
  genomic?: NucleotideVariant;
  /** The chromosome when the g. accession is a GRCh38 one (VAR-07 passed). */
  chromosome?: Chromosome;
}

function facts(ctx: BundleContext, entry: Entry): VariantFacts {
  const vc = ctx.data.codes.variantComponents;
  const g = hgvsSite(ctx, entry, vc.gHgvs);
  const genomic = g?.parsed?.level === 'nucleotide' && g.parsed.coordinate === 'g' ? g.parsed : undefined;
  const chromosome = genomic ? ctx.data.grch38.chromosomes.find((c) => c.accession === genomic.accession.id) : undefined;
  return { entry, g, c: hgvsSite(ctx, entry, vc.cHgvs), p: hgvsSite(ctx, entry, vc.pHgvs), genomic, chromosome };
}

function each(check: (ctx: BundleContext, f: VariantFacts) => ValidationIssue[]): Rule {
  return (ctx) => ctx.withProfile('ngc-variant').flatMap((entry) => check(ctx, ctx.memo('variant-facts', entry, () => facts(ctx, entry))));
}

export const var08 = each((ctx, f) =>
  [f.g, f.c, f.p].flatMap((site): ValidationIssue[] => {
    if (!site || site.parsed) return [];
    const r = parseHgvs(site.code);
    return [ctx.issue('VAR-08', { code: 'value', diagnostics: `'${site.code}' is not valid HGVS: ${r.ok ? '' : r.error}`, expression: site.path })];
  }),
);

export const var04 = each((ctx, f) => {
  const p = f.p?.parsed;
  if (!f.p || !p || p.level !== 'protein' || p.aminoAcidCodes !== 'one') return [];
  return [ctx.issue('VAR-04', { code: 'value', diagnostics: `'${f.p.code}' uses 1-letter amino acid codes; write 3-letter codes (e.g. p.Cys61Gly)`, expression: f.p.path })];
});

export const var05 = each((ctx, f) => {
  const c = f.c?.parsed;
  if (!f.c || !c || c.level !== 'nucleotide') return [];
  const transcriptInHgvs = (c.innerAccession ?? c.accession).id;
  // Presence of the transcript when c.HGVS is given is the profile's invariant VAR-05.
  const found = ctx.components(f.entry, ctx.data.codes.variantComponents.system, ctx.data.codes.variantComponents.transcript);
  if (found.length !== 1) return [];
  const values = codings(found[0].component.valueCodeableConcept);
  if (values.some(({ coding }) => coding.code === transcriptInHgvs)) return [];
  const index = values.length ? values[0].index : 0;
  return [ctx.issue('VAR-05', {
    code: 'business-rule',
    diagnostics: `The transcript ${String(values[0]?.coding.code ?? '(none)')} differs from the accession ${transcriptInHgvs} in the c.HGVS ${f.c.code}`,
    expression: `${found[0].path}.valueCodeableConcept.coding[${index}].code`,
  })];
});

export const var07 = each((ctx, f) => {
  if (!f.g || !f.genomic || f.chromosome) return [];
  const acc = f.genomic.accession;
  const sameStem = ctx.data.grch38.chromosomes.find((c) => c.accession.split('.')[0] === acc.stem);
  const why = sameStem
    ? `${acc.id} is not the GRCh38 version of this chromosome (${sameStem.accession}, chromosome ${sameStem.chromosome})`
    : `${acc.id} is not a GRCh38 chromosome accession`;
  return [ctx.issue('VAR-07', { code: 'value', diagnostics: why, expression: f.g.path })];
});

/** All position numbers written in a location, in order (`?` left out). */
function writtenRange(g: NucleotideVariant): { first: number; last: number } | undefined {
  if (!g.location) return undefined;
  const { first, last } = locationBounds(g.location);
  const numbers: number[] = [];
  const add = (p: typeof g.location.start) => {
    const points = p.kind === 'point' ? [p] : [p.from, p.to];
    for (const x of points) if (x.base !== null) numbers.push(x.base);
  };
  add(g.location.start);
  if (g.location.end) add(g.location.end);
  if (!numbers.length) return undefined;
  return { first: first ?? numbers[0], last: last ?? numbers[numbers.length - 1] };
}

export const var09 = each((ctx, f) => {
  const vc = ctx.data.codes.variantComponents;
  const comp = oneOf(ctx, f.entry, vc.startEnd);
  const range = comp && isObject(comp.component.valueRange) ? comp.component.valueRange : undefined;
  if (!comp || !range) return [];
  const low = isObject(range.low) ? range.low.value : undefined;
  const high = isObject(range.high) ? range.high.value : undefined;
  // Whole numbers with 1 <= low <= high is the profile's invariant VAR-09; compare only such ranges.
  const whole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (!whole(low) || !whole(high) || low > high) return [];
  const lo = low;
  const hi = high;
  if (f.chromosome && hi > f.chromosome.length) {
    return [ctx.issue('VAR-09', { code: 'value', diagnostics: `valueRange.high ${hi} is beyond the end of chromosome ${f.chromosome.chromosome} (${f.chromosome.length})`, expression: `${comp.path}.valueRange.high` })];
  }
  const written = f.genomic ? writtenRange(f.genomic) : undefined;
  if (written && (written.first !== lo || written.last !== hi)) {
    return [ctx.issue('VAR-09', {
      code: 'business-rule',
      diagnostics: `start-end ${lo}-${hi} differs from the g.HGVS location ${written.first}-${written.last} of ${f.g?.code}`,
      expression: `${comp.path}.valueRange`,
    })];
  }
  return [];
});

/** Positions in g.HGVS beyond the chromosome's length are VAR-09 too, even without a start-end component. */
export const var09Hgvs = each((ctx, f) => {
  if (!f.genomic || !f.chromosome || !f.g) return [];
  const written = writtenRange(f.genomic);
  if (!written || written.last <= f.chromosome.length) return [];
  if (oneOf(ctx, f.entry, ctx.data.codes.variantComponents.startEnd)) return []; // reported on the range
  return [ctx.issue('VAR-09', { code: 'value', diagnostics: `${f.g.code} lies beyond the end of chromosome ${f.chromosome.chromosome} (${f.chromosome.length})`, expression: f.g.path })];
});

export const var10 = each((ctx, f) => {
  const vc = ctx.data.codes.variantComponents;
  const change = f.genomic?.change;
  if (!change || change.kind !== 'substitution') return [];
  const bases = new RegExp(ctx.data.codes.alleleBases);
  const out: ValidationIssue[] = [];
  for (const [loinc, expected, name] of [[vc.refAllele, change.ref, 'reference'], [vc.altAllele, change.alt, 'alternate']] as const) {
    const comp = oneOf(ctx, f.entry, loinc);
    const value = comp?.component.valueString;
    if (!comp || typeof value !== 'string' || !bases.test(value)) continue;
    if (value !== expected) {
      out.push(ctx.issue('VAR-10', {
        code: 'business-rule',
        diagnostics: `The ${name} allele ${value} differs from the ${name} base ${expected} of ${f.g?.code}`,
        expression: `${comp.path}.valueString`,
      }));
    }
  }
  return out;
});

export const var16 = each((ctx, f) => {
  const change = f.genomic?.change;
  const expected = change ? ctx.data.changeTypes.kinds[change.kind] : undefined;
  const comp = oneOf(ctx, f.entry, ctx.data.codes.variantComponents.changeType);
  if (!change || !expected || !comp) return [];
  const so = codings(comp.component.valueCodeableConcept).filter(({ coding }) => coding.system === ctx.data.changeTypes.system);
  if (so.length !== 1 || typeof so[0].coding.code !== 'string') return [];
  if (expected.includes(so[0].coding.code)) return [];
  return [ctx.issue('VAR-16', {
    code: 'business-rule',
    diagnostics: `DNA change type ${so[0].coding.code} does not agree with the ${change.kind} in ${f.g?.code} (expected ${expected.join(' or ')})`,
    expression: `${comp.path}.valueCodeableConcept.coding[${so[0].index}]`,
  })];
});

export const variantRules: Rule[] = [var08, var04, var05, var07, var09, var09Hgvs, var10, var16];
