/** TERM-01 (older code system URIs, normalised with a warning) and TERM-02 (codes checked by form). */
import type { Bundle } from 'fhir/r4';
import type { ValidationIssue } from '../validation/issue';
import type { RuleCatalogue } from './catalogue';
import { ruleIssue } from './catalogue';
import type { CodeForms } from './data';
import type { Rule } from './rule';
import { walkObjects } from './walk';

interface CompiledForms {
  aliases: Map<string, string>;
  forms: Map<string, CodeForms['systems'][number] & { re: RegExp }>;
}

const compiledForms = new WeakMap<CodeForms, CompiledForms>();

/** The alias table and the code patterns, compiled once per rule data rather than per submission. */
function compiled(forms: CodeForms): CompiledForms {
  let c = compiledForms.get(forms);
  if (!c) {
    c = {
      aliases: new Map(forms.aliases.map((a) => [a.from, a.to])),
      forms: new Map(forms.systems.map((s) => [s.system, { ...s, re: new RegExp(s.pattern) }])),
    };
    compiledForms.set(forms, c);
  }
  return c;
}

/** Rewrites aliased code system URIs in place; one TERM-01 warning per rewrite. */
export function normalizeTerminology(bundle: Bundle, forms: CodeForms, catalogue: RuleCatalogue): ValidationIssue[] {
  const { aliases } = compiled(forms);
  const out: ValidationIssue[] = [];
  walkObjects(bundle, (node, at) => {
    if (typeof node.system !== 'string' || typeof node.code !== 'string') return;
    const to = aliases.get(node.system);
    if (!to) return;
    out.push(ruleIssue(catalogue, 'TERM-01', {
      code: 'informational',
      diagnostics: `Code system ${node.system} was normalised to ${to}`,
      expression: `${at.path()}.system`,
    }));
    node.system = to;
  });
  return out;
}

export const term02: Rule = (ctx) => {
  const { aliases, forms } = compiled(ctx.data.codeForms);
  const out: ValidationIssue[] = [];
  walkObjects(ctx.bundle, (node, at) => {
    if (typeof node.system !== 'string' || typeof node.code !== 'string') return;
    const form = forms.get(aliases.get(node.system) ?? node.system);
    if (!form || form.re.test(node.code)) return;
    out.push(ctx.issue('TERM-02', {
      code: 'code-invalid',
      diagnostics: `'${node.code}' is not a ${form.name} code (expected the form ${form.example})`,
      expression: `${at.path()}.code`,
    }));
  });
  return out;
};

export const terminologyRules: Rule[] = [term02];
