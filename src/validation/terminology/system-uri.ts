/**
 * Sanity rules for a Coding.system that no loaded package defines, as the HL7 Java validator applies
 * them: HL7's own namespaces are fully published, so an unknown URL there is a mistake (an error),
 * and so is a system that points at a web page (build.fhir.org, an .html page) instead of naming the
 * canonical URL. Systems in other namespaces are left to the callers (they cannot be checked).
 */

export interface SystemUriProblem {
  messageId: 'CODE_SYSTEM_WRONG_BUILD' | 'CODE_SYSTEM_WRONG_HTML' | 'CODE_SYSTEM_UNKNOWN';
  message: string;
}

/** Namespaces whose code systems are all published in the packages HL7 distributes. */
const HL7_NAMESPACES = ['http://hl7.org/fhir', 'https://hl7.org/fhir', 'http://www.hl7.org/fhir', 'https://www.hl7.org/fhir', 'http://terminology.hl7.org/', 'https://terminology.hl7.org/'];
const BUILD_SERVER = ['http://build.fhir.org', 'https://build.fhir.org'];

/**
 * External code systems that HL7 names under http://hl7.org/fhir/sid/ (ICD, NDC, CVX, ...): defined
 * elsewhere, so absent from the packages, yet legitimate (the list the HL7 validator knows).
 */
const HL7_SID_CODE_SYSTEMS = new Set(
  ['ndc', 'icpc-2', 'icpc-1', 'icpc-1-nl', 'icd-9', 'icd-10', 'cvx', 'srt', 'icd-10-vn', 'icd-10-cm', 'icd-10-am', 'icd-9-cm', 'icf-nl', 'ca-hc-npn', 'ca-hc-din', 'dsm5', 'ex-icd-10-procedures'].map(
    (id) => `http://hl7.org/fhir/sid/${id}`,
  ),
);
/** HL7 keeps test code systems here; the validator does not judge them. */
const HL7_TEST_SPACE = 'http://hl7.org/fhir/test';

const UNDETERMINED = '(the intended canonical URL could not be determined)';

/**
 * The canonical URL a web page of a code system most likely stands for, when that code system is
 * loaded: `…/codesystem-x.html` → `http://hl7.org/fhir/x`, `…/CodeSystem-v2-0203.html` (terminology.hl7.org)
 * → `http://terminology.hl7.org/CodeSystem/v2-0203`, `build.fhir.org/x` → `http://hl7.org/fhir/x`.
 */
function suggestCanonical(system: string, isLoaded: (url: string) => boolean): string {
  const candidates: string[] = [];
  const bare = system.replace(/[?#].*$/, '').replace(/\.html$/, '');
  const page = bare.slice(bare.lastIndexOf('/') + 1);
  if (page.startsWith('codesystem-')) candidates.push(`http://hl7.org/fhir/${page.slice('codesystem-'.length)}`);
  if (page.startsWith('CodeSystem-')) {
    candidates.push(`http://terminology.hl7.org/CodeSystem/${page.slice('CodeSystem-'.length)}`, `http://hl7.org/fhir/${page.slice('CodeSystem-'.length)}`);
  }
  // the DSTU2/STU3 names of the v2 and v3 tables, renamed in R4
  const table = /^https?:\/\/(?:www\.)?hl7\.org\/fhir\/(v2|v3)\/([\w.-]+)$/.exec(bare);
  if (table) candidates.push(`http://terminology.hl7.org/CodeSystem/${table[1]}-${table[2]}`);
  const onBuild = BUILD_SERVER.find((b) => bare.startsWith(b + '/'));
  if (onBuild) candidates.push(`http://hl7.org/fhir/${bare.slice(onBuild.length + 1)}`);
  return candidates.find(isLoaded) ?? UNDETERMINED;
}

/**
 * The canonical base of an implementation guide published under hl7.org/fhir/<realm>/<guide>
 * (`http://hl7.org/fhir/uv/genomics-reporting`), or undefined for the core specification's own URLs.
 */
export function guideBase(url: string): string | undefined {
  const m = /^https?:\/\/(?:www\.)?hl7\.org\/fhir\/[a-z]{2}\/[^/]+/.exec(url);
  return m ? m[0].replace(/^https:/, 'http:').replace('//www.', '//') : undefined;
}

/**
 * The problem with a system URL that names no loaded code system, or undefined when it may be fine.
 * A code system of an implementation guide counts as unknown only when that guide is loaded: the HL7
 * validator would fetch a guide's package; offline, a guide that is not loaded cannot be judged.
 */
export function judgeUnknownSystemUri(system: string, isLoaded: (url: string) => boolean, isGuideLoaded: (base: string) => boolean = () => false): SystemUriProblem | undefined {
  if (BUILD_SERVER.some((b) => system.startsWith(b))) {
    return {
      messageId: 'CODE_SYSTEM_WRONG_BUILD',
      message: `The code system '${system}' is wrong: a Coding.system cannot point at build.fhir.org (the continuous-integration build); use the code system's canonical URL. Perhaps: ${suggestCanonical(system, isLoaded)}`,
    };
  }
  if (!HL7_NAMESPACES.some((ns) => system.startsWith(ns))) return undefined;
  if (HL7_SID_CODE_SYSTEMS.has(system) || system.startsWith(HL7_TEST_SPACE)) return undefined;
  if (system.endsWith('.html')) {
    return {
      messageId: 'CODE_SYSTEM_WRONG_HTML',
      message: `The code system '${system}' is wrong: a Coding.system cannot point at an HTML page; use the code system's canonical URL. Perhaps: ${suggestCanonical(system, isLoaded)}`,
    };
  }
  const guide = guideBase(system);
  if (guide && !isGuideLoaded(guide)) return undefined;
  const suggestion = suggestCanonical(system, isLoaded);
  return {
    messageId: 'CODE_SYSTEM_UNKNOWN',
    message: `Unknown Code System '${system}': the URL is in an HL7 namespace, but no loaded package defines it${suggestion === UNDETERMINED ? '' : `. Perhaps: ${suggestion}`}`,
  };
}
