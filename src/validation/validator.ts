/**
 * createValidator(): loads the definitions once, then validates any R4 resource against the base
 * specification, its meta.profile and the profiles asked for, reporting every issue found.
 */
import { loadConformance } from './definitions';
import type { ConformanceStore, LoadOptions } from './definitions/types';
import { createTerminology } from './terminology';
import type { Terminology } from './terminology/types';
import type { ValidationIssue } from './issue';
import type { ValidateOptions, Validator } from './validator-types';
import { RuleCatalog, type RuleOptions } from './rules';
import { Engine } from './checks/engine';
import { isObject, jsonTypeName } from './checks/context';
import { ExtensionPolicy, type ExtensionPolicyOptions } from './checks/extension-policy';

export interface ValidatorOptions extends LoadOptions, RuleOptions, ExtensionPolicyOptions {
  /** An already loaded store (shares definitions between validators, e.g. in tests). */
  store?: ConformanceStore;
  terminology?: Terminology;
  /** See EngineOptions.conceptMemoSlots: 0 makes every validation start with no memos (tests compare against that). */
  conceptMemoSlots?: number;
}

export interface EngineValidator extends Validator {
  readonly engine: Engine;
  /**
   * Gets ready for the first validation: compiles the base definitions of the given resource types
   * (default: those of a genomics report; otherwise done on first use). Call it at start-up.
   */
  warmUp(types?: readonly string[]): void;
}

/** Issues found more than once (several profiles walking the same element) are reported once. */
function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const byExpression = new Map<string | undefined, ValidationIssue | ValidationIssue[]>();
  const out: ValidationIssue[] = [];
  const same = (o: ValidationIssue, issue: ValidationIssue): boolean =>
    o === issue || (o.messageId === issue.messageId && o.severity === issue.severity && o.diagnostics === issue.diagnostics);
  for (const issue of issues) {
    const prior = byExpression.get(issue.expression);
    if (prior === undefined) byExpression.set(issue.expression, issue);
    else if (Array.isArray(prior)) {
      if (prior.some((o) => same(o, issue))) continue;
      prior.push(issue);
    } else {
      if (same(prior, issue)) continue;
      byExpression.set(issue.expression, [prior, issue]);
    }
    out.push(issue);
  }
  return out;
}

export function createValidator(options: ValidatorOptions = {}): EngineValidator {
  const store = options.store ?? loadConformance(options);
  const terminology = options.terminology ?? createTerminology(store);
  const rules = new RuleCatalog(store, options);
  const engine = new Engine({ store, terminology, rules, extensionPolicy: new ExtensionPolicy(options), conceptMemoSlots: options.conceptMemoSlots });

  function validate(resource: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
    if (!isObject(resource)) {
      const root = opts.rootPath ?? 'Resource';
      return [
        {
          severity: 'fatal',
          code: 'structure',
          messageId: 'NOT_A_RESOURCE',
          diagnostics: `A FHIR resource must be a JSON object, not ${jsonTypeName(resource) === 'array' ? 'an array' : `a ${jsonTypeName(resource)}`}`,
          expression: root,
        },
      ];
    }
    const sink: ValidationIssue[] = [];
    const rt = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
    const run = engine.newRun();
    engine.validateResource(run, resource, opts.rootPath ?? rt, undefined, sink, opts.profiles ?? []);
    return run.mayDuplicate ? dedupe(sink) : sink;
  }

  return {
    conformance: store,
    engine,
    validate,
    warmUp(types) {
      // compile the given resource types and, transitively, every datatype their elements use, so that
      // the first validation does not pay for it (FHIRPath invariants stay lazy: compiling all of them
      // would cost more than it saves)
      const seen = new Set<string>();
      const queue = [...(types ?? ['Bundle', 'Observation', 'Patient', 'DiagnosticReport', 'ServiceRequest', 'Specimen', 'Organization', 'Practitioner'])];
      while (queue.length) {
        const t = queue.pop()!;
        if (seen.has(t)) continue;
        seen.add(t);
        const root = engine.compiler.typeRoot(t);
        if (!root) continue;
        for (const node of root.profile.byId.values()) {
          for (const type of node.types) if (!seen.has(type.code) && !engine.isResourceTypeCode(type.code)) queue.push(type.code);
        }
      }
    },
  };
}
