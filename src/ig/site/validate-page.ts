/**
 * The "validate your Bundle" page and the server-rendered result (for browsers without
 * JavaScript, the form posts to the same endpoint and gets this HTML back).
 */
import type { OperationOutcome } from 'fhir/r4';
import { NGC_RULE_SYSTEM } from '../../validation/outcome';
import { html, page, type Html } from './html';

export interface ValidatePageOptions {
  /** Size limit of the endpoint, for the page's text. */
  maxBytes: number;
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

function form(maxBytes: number, content = ''): Html {
  return html`<div class="warning" role="note"><p><strong>Test data only.</strong> Paste only test data: no real CPR numbers and no real
patients' genetic data. The guide's validator stores nothing, but this page is not a channel for personal data.
<span lang="da">Brug kun testdata – ingen rigtige CPR-numre.</span></p></div>
<p>The Bundle is judged exactly as <code>POST /fhir</code> judges a submission (same engine, same NGC
profiles and rules), except for the checks that need to know who sends it (SUB-11 duplicates, SUB-12
SOR code of the client). No token is needed; at most ${mib(maxBytes)} per Bundle, and a few validations
per minute from one address.</p>
<form id="validate-form" class="validate" method="post" action="validate" enctype="multipart/form-data">
<label for="bundle">Bundle (FHIR R4 JSON)</label>
<textarea id="bundle" name="bundle" spellcheck="false" autocomplete="off" placeholder='{"resourceType": "Bundle", "type": "transaction", ...}'>${content}</textarea>
<label for="file">or upload a file</label>
<input id="file" name="file" type="file" accept=".json,application/json,application/fhir+json">
<div><button type="submit">Validate</button></div>
</form>`;
}

export function validatePage(o: ValidatePageOptions): string {
  const body = html`${form(o.maxBytes)}
<div id="result" aria-live="polite"></div>`;
  return page({ title: 'Validate your Bundle', file: 'validate.html', body, scripts: ['validate.js'] });
}

function ruleOf(issue: OperationOutcome['issue'][number]): string | undefined {
  return issue.details?.coding?.find((c) => c.system === NGC_RULE_SYSTEM)?.code;
}

/** Result of a plain form POST: verdict, every issue with its rule linked, and the form again. */
export function validateResultPage(status: number, outcome: OperationOutcome, maxBytes: number, pasted = ''): string {
  const errors = outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
  const warnings = outcome.issue.filter((i) => i.severity === 'warning').length;
  const valid = status === 200 && errors === 0;
  const rows = outcome.issue.map((i) => {
    const rule = ruleOf(i);
    return html`<tr><td><span class="severity severity-${i.severity}">${i.severity}</span></td>
<td>${rule ? html`<a class="rule" href="rules.html#${rule}">${rule}</a>` : html`<span title="FHIR R4 issue type">${i.code}</span>`}</td>
<td><code>${(i.expression ?? []).join(', ')}</code></td><td>${i.diagnostics ?? ''}</td><td lang="da">${i.details?.text ?? ''}</td></tr>`;
  });
  const body = html`<div id="result">
<h2 id="verdict"><span class="verdict verdict-${valid ? 'valid' : 'invalid'}">${valid ? 'valid' : 'invalid'}</span> ${errors} error(s), ${warnings} warning(s)${status !== 200 ? ` (HTTP ${status})` : ''}</h2>
<div class="table-wrap"><table class="issues"><thead><tr><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">What is wrong</th><th scope="col">Dansk</th></tr></thead>
<tbody>${rows}</tbody></table></div>
</div>
<h2 id="again">Validate again</h2>
${form(maxBytes, pasted)}`;
  return page({ title: 'Validate your Bundle: result', file: 'validate.html', body });
}
