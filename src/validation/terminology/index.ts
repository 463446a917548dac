/**
 * Terminology service over the loaded packages: ValueSet membership and code system look-ups, each
 * ValueSet and CodeSystem compiled once on first use. What cannot be decided locally (LOINC,
 * SNOMED CT, ... not loaded) is answered `not-checkable`, never silently passed.
 */
import type { ConformanceStore } from '../definitions/types';
import { compileCodeSystem, type CompiledCodeSystem } from './code-systems';
import { checkExternal } from './external';
import { isFhirFormatName } from './fhir-format-codes';
import type { CodeCheck, Terminology } from './types';
import { compileValueSet, type CompiledValueSet, type Membership } from './value-sets';

export type { CodeCheck, Terminology } from './types';
export { checkUcum, UCUM, BCP13, BCP47 } from './external';

type Checked = CodeCheck & { displayMessage?: string };

function normaliseDisplay(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function codeLabel(system: string | undefined, code: string): string {
  return system ? `${system}#${code}` : `'${code}'`;
}

export function createTerminology(store: ConformanceStore): Terminology {
  const codeSystems = new Map<string, CompiledCodeSystem | null>();
  const valueSets = new Map<string, CompiledValueSet | null>();

  const codeSystem = (url: string): CompiledCodeSystem | undefined => {
    let compiled = codeSystems.get(url);
    if (compiled === undefined) {
      const cs = store.codeSystem(url);
      compiled = cs && cs.content !== 'supplement' ? compileCodeSystem(cs) : null;
      codeSystems.set(url, compiled);
    }
    return compiled ?? undefined;
  };

  const compiling = new Set<string>();
  const valueSet = (url: string): CompiledValueSet | undefined => {
    let compiled = valueSets.get(url);
    if (compiled === undefined) {
      const vs = store.valueSet(url);
      if (!vs) {
        valueSets.set(url, null);
        return undefined;
      }
      // Imports compile lazily on first membership question, so that cycles cannot recurse forever.
      let inner: CompiledValueSet | undefined;
      compiled = {
        url,
        member(system, code): Membership {
          if (!inner) {
            if (compiling.has(url)) return { result: 'unknown', reason: `the value set '${url}' includes itself` };
            compiling.add(url);
            try {
              inner = compileValueSet(vs, { codeSystem, valueSet });
            } finally {
              compiling.delete(url);
            }
          }
          return inner.member(system, code);
        },
      };
      valueSets.set(url, compiled);
    }
    return compiled ?? undefined;
  };

  /** A wrong display for a code of a loaded code system (designations count as right). */
  const displayCheck = (system: string | undefined, code: string, display: string | undefined): string | undefined => {
    if (display === undefined || !system) return undefined;
    const concept = codeSystem(system)?.lookup(code);
    if (!concept || !concept.displays.length) return undefined;
    const given = normaliseDisplay(display);
    if (concept.displays.some((d) => normaliseDisplay(d) === given)) return undefined;
    const valid = [...new Set(concept.displays)].slice(0, 3).map((d) => `'${d}'`).join(' or ');
    return `Wrong display '${display}' for ${system}#${concept.code}: should be ${valid}`;
  };

  // Reports repeat the same codes thousands of times (every variant has the same LOINC codes):
  // answers are memoised per value set, system, code and display. Bounded, so that a stream of
  // distinct codes cannot grow it without limit. Answers are shared: callers must not mutate them.
  const memo = new Map<string, Checked>();
  const MEMO_LIMIT = 50_000;
  const remember = (key: string, answer: Checked): Checked => {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, answer);
    return answer;
  };

  const api: Terminology = {
    validateCode(valueSetUrl, system, code, display): Checked {
      const key = `vs\u0000${valueSetUrl}\u0000${system ?? ''}\u0000${code}\u0000${display ?? '\u0001'}`;
      return memo.get(key) ?? remember(key, uncached.validateCode(valueSetUrl, system, code, display));
    },
    validateCodeInSystem(system, code, display): Checked {
      const key = `cs\u0000${system}\u0000${code}\u0000${display ?? '\u0001'}`;
      return memo.get(key) ?? remember(key, uncached.validateCodeInSystem(system, code, display));
    },
  };

  const uncached = {
    validateCode(valueSetUrl: string, system: string | undefined, code: string, display?: string): Checked {
      if (isFhirFormatName(valueSetUrl, system, code)) return { outcome: 'valid' };
      const vs = valueSet(valueSetUrl);
      if (!vs) {
        return { outcome: 'not-checkable', message: `The value set '${valueSetUrl}' is not loaded, so ${codeLabel(system, code)} cannot be checked against it` };
      }
      const r = vs.member(system, code);
      if (r.result === 'yes') {
        const displayMessage = displayCheck(system ?? r.system, code, display);
        const concept = (system ?? r.system) ? codeSystem((system ?? r.system)!)?.lookup(code) : undefined;
        const out: Checked = { outcome: 'valid' };
        if (concept?.display) out.display = concept.display;
        if (displayMessage) out.displayMessage = displayMessage;
        return out;
      }
      if (r.result === 'unknown') {
        return { outcome: 'not-checkable', message: `Cannot check whether ${codeLabel(system, code)} is in the value set '${valueSetUrl}': ${r.reason}` };
      }
      return {
        outcome: 'invalid',
        message: `The code ${codeLabel(system, code)} is not in the value set '${valueSetUrl}'${r.reason ? ` (${r.reason})` : ''}`,
      };
    },

    validateCodeInSystem(system: string, code: string, display?: string): Checked {
      const cs = codeSystem(system);
      const concept = cs?.lookup(code);
      if (concept) {
        const out: Checked = { outcome: 'valid' };
        if (concept.display) out.display = concept.display;
        const displayMessage = displayCheck(system, code, display);
        if (displayMessage) out.displayMessage = displayMessage;
        return out;
      }
      if (cs?.complete) return { outcome: 'invalid', message: `Unknown code '${code}' in the code system '${system}'` };
      const external = checkExternal(system, code);
      if (external) return external;
      if (cs) {
        return { outcome: 'not-checkable', message: `The code system '${system}' is not loaded completely, so the code '${code}' cannot be checked` };
      }
      return { outcome: 'not-checkable', message: `The code system '${system}' is not known to the validator, so the code '${code}' cannot be checked` };
    },
  };
  return api;
}
