/** The rule catalogue and the example pages, from the rule data and the examples' manifest. */
import type { Json } from '../package';
import { html, page, raw, type Html } from './html';

export interface RuleEntry {
  id: string;
  section: string;
  severity: string;
  en: string;
  da: string;
  fix?: string;
}

export interface ExampleEntry {
  file: string;
  title: string;
  description?: string;
  rule?: string;
  expectedRules: string[];
  verdict: 'accepted' | 'rejected' | string;
  context?: string;
  format?: string;
  fix?: string;
  base?: string;
  analysisType?: string;
}

/** `invalid/VAR-07.json` → `example-invalid-VAR-07.html`. */
export function exampleFile(e: ExampleEntry): string {
  return `example-${e.file.replace(/\.json$/, '').replace(/[^A-Za-z0-9-]+/g, '-')}.html`;
}

const SECTION_TITLES: Record<string, string> = {
  '1': 'The submission',
  '2.1': 'ngc-patient',
  '2.2': 'ngc-organization',
  '2.3': 'ngc-service-request',
  '2.4': 'ngc-specimen',
  '2.5': 'ngc-genomic-report',
  '2.6': 'ngc-sequencing-analysis',
  '2.7': 'ngc-sequencing-qc',
  '2.8': 'ngc-variant',
  '2.9': 'ngc-diagnostic-implication',
  '2.10': 'ngc-data-file',
  '4': 'Terminology',
};

function verdictBadge(verdict: string): Html {
  return html`<span class="verdict verdict-${verdict}">${verdict}</span>`;
}

/** Where each rule appears in the profiles: rule id → profile pages. */
export type RuleUsage = Map<string, Array<{ href: string; title: string }>>;

export function rulesPage(rules: RuleEntry[], examples: ExampleEntry[], usage: RuleUsage): string {
  const bySection = new Map<string, RuleEntry[]>();
  for (const r of rules) bySection.set(r.section, [...(bySection.get(r.section) ?? []), r]);
  const sections = [...bySection.entries()].map(([section, rs]) => {
    const title = SECTION_TITLES[section] ? `${section} ${SECTION_TITLES[section]}` : `Section ${section}`;
    return html`<h2 id="section-${section}">${title}</h2>
${rs.map((r) => {
  const breaking = examples.filter((e) => e.rule === r.id || (e.file.startsWith('invalid/') && e.expectedRules.includes(r.id) && !e.rule));
  const used = usage.get(r.id) ?? [];
  return html`<section class="rule" id="${r.id}" aria-labelledby="${r.id}-h">
<h3 id="${r.id}-h"><a class="anchor" href="#${r.id}">${r.id}</a> <span class="severity severity-${r.severity}">${r.severity === 'warning' ? 'SHOULD (warning)' : 'MUST (error)'}</span></h3>
<dl>
<dt>Requirement</dt><dd>${r.en}</dd>
<dt lang="da">Krav (dansk)</dt><dd lang="da">${r.da}</dd>
${r.fix ? html`<dt>How to fix</dt><dd>${r.fix}</dd>` : ''}
<dt>Example that breaks it</dt><dd>${
    breaking.length
      ? html`<ul>${breaking.map((e) => html`<li><a href="${exampleFile(e)}">${e.file}</a>: ${e.description ?? e.title} ${verdictBadge(e.verdict)}${e.context === 'http' ? ' (over HTTP)' : ''}</li>`)}</ul>`
      : html`none in the example set`
  }</dd>
${used.length ? html`<dt>Where in the profiles</dt><dd>${used.map((u, i) => html`${i ? ', ' : ''}<a href="${u.href}">${u.title}</a>`)}</dd>` : ''}
</dl>
</section>`;
})}`;
  });
  const body = html`<p>Every rule of the NGC Genomic Reporting Standard 1.0. When the gateway rejects or warns, each
issue names its rule in <code>OperationOutcome.issue.details.coding</code> (system
<code>http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule</code>, code = the rule id), with the
Danish text in <code>details.text</code> and an English explanation in <code>diagnostics</code>.
MUST rules are errors (the report is rejected, 422); SHOULD rules are warnings (the report is accepted).
Issues without a rule id come from plain FHIR R4 (a base cardinality, a datatype's format, a core invariant).</p>
<p>Sections: ${[...bySection.keys()].map((s, i) => html`${i ? ' · ' : ''}<a href="#section-${s}">${s}</a>`)}</p>
${sections}`;
  return page({ title: 'Rule catalogue', file: 'rules.html', body });
}

function ruleLinks(ids: string[]): Html {
  return html`${ids.map((id, i) => html`${i ? ' ' : ''}<a class="rule" href="rules.html#${id}">${id}</a>`)}`;
}

export function examplesIndexPage(examples: ExampleEntry[]): string {
  const valid = examples.filter((e) => e.file.startsWith('valid/'));
  const invalid = examples.filter((e) => !e.file.startsWith('valid/'));
  const table = (es: ExampleEntry[]): Html =>
    html`<div class="table-wrap"><table><thead><tr><th scope="col">Example</th><th scope="col">What it shows</th><th scope="col">Verdict</th><th scope="col">Rules</th></tr></thead><tbody>${es.map(
      (e) => html`<tr><td><a href="${exampleFile(e)}">${e.file}</a></td><td>${e.title}</td><td>${verdictBadge(e.verdict)}</td><td>${ruleLinks(e.expectedRules)}</td></tr>`,
    )}</tbody></table></div>`;
  const body = html`<p>Example submissions (Bundles of type <code>transaction</code>), all test data: the CPR numbers are
fictitious. The valid ones cover each analysis type; each broken one changes one valid example so that it
breaks exactly one rule. The verdict is what the gateway answers: <em>accepted</em> (202, possibly with
warnings) or <em>rejected</em> (422, or the HTTP status named in the example). Run any of them through
<code>ngc-gateway validate</code> or the <a href="validate.html">validate page</a> to see the full outcome.</p>
<h2 id="valid">Valid examples</h2>${table(valid)}
<h2 id="broken">Examples that break a rule</h2>${table(invalid)}`;
  return page({ title: 'Examples', file: 'examples.html', body });
}

/** Pretty-printed JSON, or the raw text when the example is deliberately not valid JSON. */
export function prettyExample(text: string, format: string | undefined): string {
  if (format === 'text') return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What the gateway's validator answered on an example when the guide was built. */
export interface ExampleOutcome {
  status: number;
  issues: Array<{ severity: string; code: string; diagnostics: string; expression?: string; rule?: { id: string; textDa: string } }>;
}

function outcomeSection(o: ExampleOutcome): Html {
  const errors = o.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
  const warnings = o.issues.filter((i) => i.severity === 'warning').length;
  const rows = o.issues.map(
    (i) => html`<tr><td><span class="severity severity-${i.severity}">${i.severity}</span></td><td>${i.rule ? html`<a class="rule" href="rules.html#${i.rule.id}">${i.rule.id}</a>` : html`<span title="FHIR R4 issue type">${i.code}</span>`}</td><td><code>${i.expression ?? ''}</code></td><td>${i.diagnostics}</td><td lang="da">${i.rule?.textDa ?? ''}</td></tr>`,
  );
  return html`<h2 id="outcome">What the validator answers</h2>
<p>Output of the gateway's validator (the same as <code>ngc-gateway validate</code>) when this guide was built:
${errors} error(s), ${warnings} warning(s)${o.status !== 200 && o.status !== 422 ? ` (HTTP ${o.status})` : ''}.</p>
${o.issues.length ? html`<div class="table-wrap"><table class="issues"><thead><tr><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">What is wrong</th><th scope="col">Dansk</th></tr></thead><tbody>${rows}</tbody></table></div>` : ''}`;
}

export function examplePage(e: ExampleEntry, text: string, downloadName: string, outcome?: ExampleOutcome): string {
  const body = html`<p>${e.description ?? ''}</p>
<table class="meta"><tbody>
<tr><th scope="row">Verdict</th><td>${verdictBadge(e.verdict)}${e.context === 'http' ? ' (the rule needs the HTTP context: see below)' : ''}</td></tr>
${e.expectedRules.length ? html`<tr><th scope="row">Rules</th><td>${ruleLinks(e.expectedRules)}</td></tr>` : ''}
${e.analysisType ? html`<tr><th scope="row">Analysis type</th><td><code>${e.analysisType}</code></td></tr>` : ''}
${e.base ? html`<tr><th scope="row">Derived from</th><td>${e.base}</td></tr>` : ''}
${e.fix ? html`<tr><th scope="row">How to fix</th><td>${e.fix}</td></tr>` : ''}
<tr><th scope="row">Download</th><td><a href="${downloadName}" download>${e.file}</a></td></tr>
</tbody></table>
${e.context === 'http' ? html`<p class="note">This example is judged by the gateway's HTTP layer (who sends it, what was sent before), so the offline validator alone does not reject it.</p>` : ''}
${e.format === 'text' ? html`<p class="note">This example is deliberately not well-formed FHIR JSON; it is shown exactly as sent.</p>` : ''}
${outcome ? outcomeSection(outcome) : ''}
<h2 id="bundle">The Bundle</h2>
<pre class="json"><code>${prettyExample(text, e.format)}</code></pre>`;
  return page({ title: e.title, file: exampleFile(e), body });
}

export function parseManifest(json: Json): ExampleEntry[] {
  const list = Array.isArray(json.examples) ? (json.examples as Json[]) : [];
  return list.map((e) => ({ ...e, expectedRules: Array.isArray(e.expectedRules) ? e.expectedRules : [] }) as ExampleEntry);
}

export { raw };
