/**
 * Rule tagging: profile elements may name a business rule through an extension whose valueCoding
 * is (rule system, rule id); the rule's Danish text comes from the loaded CodeSystem.
 */
import type { CodeSystem } from 'fhir/r4';
import type { ConformanceStore } from './definitions/types';
import type { RuleRef } from './issue';
import { NGC_RULE_SYSTEM } from './outcome';

export const DEFAULT_RULE_EXTENSION = 'http://ngc.dk/fhir/genomics/StructureDefinition/validation-rule';

export interface RuleOptions {
  /** Extension on ElementDefinition naming the business rule the element enforces. */
  ruleExtensionUrl?: string;
  /** Code systems whose codes are rule ids; an invariant whose key is such a code is tagged with it. */
  ruleSystems?: string[];
}

export class RuleCatalog {
  readonly extensionUrl: string;
  private readonly systems: string[];
  private readonly cache = new Map<string, RuleRef>();
  private keyIndex?: Map<string, RuleRef>;

  constructor(
    private readonly store: ConformanceStore,
    options: RuleOptions = {},
  ) {
    this.extensionUrl = options.ruleExtensionUrl ?? DEFAULT_RULE_EXTENSION;
    this.systems = options.ruleSystems ?? [NGC_RULE_SYSTEM];
  }

  /** The rule named by a Coding (system + code). */
  rule(system: string | undefined, code: string): RuleRef {
    const key = `${system ?? ''}|${code}`;
    let rule = this.cache.get(key);
    if (!rule) {
      const cs = system ? this.store.codeSystem(system) : undefined;
      const concept = cs ? findConcept(cs, code) : undefined;
      const da = concept?.designation?.find((d) => d.language === 'da' || d.language?.startsWith('da-'))?.value;
      rule = { id: code, textDa: da ?? concept?.display ?? code };
      this.cache.set(key, rule);
    }
    return rule;
  }

  /** The rule whose id equals an invariant key, when a rule system defines that code. */
  ruleForKey(key: string): RuleRef | undefined {
    if (!this.keyIndex) {
      this.keyIndex = new Map();
      for (const system of this.systems) {
        const cs = this.store.codeSystem(system);
        if (!cs) continue;
        visit(cs.concept ?? [], (code) => {
          if (!this.keyIndex!.has(code)) this.keyIndex!.set(code, this.rule(system, code));
        });
      }
    }
    return this.keyIndex.get(key);
  }

  /** The rule an ElementDefinition (or anything with extensions) carries, if any. */
  ruleOf(element: { extension?: { url: string; valueCoding?: { system?: string; code?: string } }[] }): RuleRef | undefined {
    const ext = element.extension?.find((e) => e.url === this.extensionUrl);
    const coding = ext?.valueCoding;
    return coding?.code ? this.rule(coding.system, coding.code) : undefined;
  }
}

type Concept = NonNullable<CodeSystem['concept']>[number];

function findConcept(cs: CodeSystem, code: string): Concept | undefined {
  let found: Concept | undefined;
  const walk = (list: Concept[]): void => {
    for (const c of list) {
      if (found) return;
      if (c.code === code) found = c;
      else if (c.concept) walk(c.concept);
    }
  };
  walk(cs.concept ?? []);
  return found;
}

function visit(list: Concept[], fn: (code: string) => void): void {
  for (const c of list) {
    fn(c.code);
    if (c.concept) visit(c.concept, fn);
  }
}
