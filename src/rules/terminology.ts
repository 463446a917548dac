/** TERM-01 (older code system URIs, normalised with a warning) and TERM-02 (codes checked by form). */
import type { Bundle } from 'fhir/r4';
import type { ValidationIssue } from '../validation/issue';
import type { RuleCatalogue } from './catalogue';
import { ruleIssue } from './catalogue';
import { isObject, type Json } from './context';
import type { CodeForms } from './data';
import type { Rule } from './rule';

/** Visits every object of the Bundle with its FHIRPath (`Bundle.entry[2].resource.code.coding[0]`). */
export function walkObjects(root: unknown, visit: (node: Json, path: string) => void, path = 'Bundle'): void {
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) if (typeof root[i] === 'object' && root[i] !== null) walkObjects(root[i], visit, `${path}[${i}]`);
    return;
  }
  if (!isObject(root)) return;
  visit(root, path);
  for (const key in root) {
    const value = root[key];
    if (typeof value === 'object' && value !== null) walkObjects(value, visit, `${path}.${key}`);
  }
}

/** Rewrites aliased code system URIs in place; one TERM-01 warning per rewrite. */
export function normalizeTerminology(bundle: Bundle, forms: CodeForms, catalogue: RuleCatalogue): ValidationIssue[] {
  const aliases = new Map(forms.aliases.map((a) => [a.from, a.to]));
  const out: ValidationIssue[] = [];
  walkObjects(bundle, (node, path) => {
    if (typeof node.system !== 'string' || typeof node.code !== 'string') return;
    const to = aliases.get(node.system);
    if (!to) return;
    out.push(ruleIssue(catalogue, 'TERM-01', {
      code: 'informational',
      diagnostics: `Code system ${node.system} was normalised to ${to}`,
      expression: `${path}.system`,
    }));
    node.system = to;
  });
  return out;
}

export const term02: Rule = (ctx) => {
  const aliases = new Map(ctx.data.codeForms.aliases.map((a) => [a.from, a.to]));
  const forms = new Map(ctx.data.codeForms.systems.map((s) => [s.system, { ...s, re: new RegExp(s.pattern) }]));
  const out: ValidationIssue[] = [];
  walkObjects(ctx.bundle, (node, path) => {
    if (typeof node.system !== 'string' || typeof node.code !== 'string') return;
    const form = forms.get(aliases.get(node.system) ?? node.system);
    if (!form || form.re.test(node.code)) return;
    out.push(ctx.issue('TERM-02', {
      code: 'code-invalid',
      diagnostics: `'${node.code}' is not a ${form.name} code (expected the form ${form.example})`,
      expression: `${path}.code`,
    }));
  });
  return out;
};

export const terminologyRules: Rule[] = [term02];
