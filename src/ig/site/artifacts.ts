/**
 * Pages for the package's conformance resources: one per profile or extension (a table rendered
 * from its snapshot), one per value set and code system, and the artifact index. File names follow
 * the HL7 IG Publisher's (`StructureDefinition-<id>.html`, ...), so links work in both renderings.
 */
import { RULE_EXTENSION_URL, type Json } from '../package';
import { esc, html, page, raw, type Html, type Linker } from './html';

/** Canonical URL (with or without `|version`) → page name for NGC artifacts; undefined for others. */
export function createLinker(resources: Json[]): Linker {
  const pages = new Map<string, string>();
  for (const r of resources) if (typeof r.url === 'string') pages.set(r.url, `${r.resourceType}-${r.id}.html`);
  return (canonical) => (canonical ? pages.get(canonical.split('|')[0]) : undefined);
}

export function artifactFile(r: Json): string {
  return `${r.resourceType}-${r.id}.html`;
}

/** Rule ids an element carries through the validation-rule extension. */
export function elementRuleIds(element: Json): string[] {
  const ids: string[] = [];
  for (const ext of (element.extension as Json[] | undefined) ?? []) {
    if (ext.url !== RULE_EXTENSION_URL) continue;
    const code = ext.valueCoding?.code ?? ext.valueCode ?? ext.valueString;
    if (typeof code === 'string' && !ids.includes(code)) ids.push(code);
  }
  return ids;
}

function lastSegment(url: string): string {
  const noVersion = url.split('|')[0];
  return noVersion.slice(noVersion.lastIndexOf('/') + 1);
}

function canonicalLink(url: string, linker: Linker): Html {
  const href = linker(url);
  return href ? html`<a href="${href}" title="${url}">${lastSegment(url)}</a>` : html`<span title="${url}">${lastSegment(url)}</span>`;
}

function typeCell(element: Json, linker: Linker): Html {
  const types = (element.type as Json[] | undefined) ?? [];
  return html`${types.map((t, i) => {
    const profiles = ((t.profile as string[] | undefined) ?? []).map((p) => canonicalLink(p, linker));
    const targets = ((t.targetProfile as string[] | undefined) ?? []).map((p) => canonicalLink(p, linker));
    const join = (xs: Html[]): Html[] => xs.flatMap((x, j) => (j ? [raw(' | '), x] : [x]));
    const code = String(t.code).startsWith('http://hl7.org/fhirpath/') ? String(t.code).slice('http://hl7.org/fhirpath/'.length) : t.code;
    return html`${i ? raw('<br>') : ''}<code>${code}</code>${profiles.length ? html` (${join(profiles)})` : ''}${targets.length ? html` → ${join(targets)}` : ''}`;
  })}`;
}

function bindingCell(element: Json, linker: Linker): Html {
  const b = element.binding as Json | undefined;
  if (!b) return html``;
  const vs = typeof b.valueSet === 'string' ? canonicalLink(b.valueSet, linker) : html`(no value set)`;
  return html`<span class="strength strength-${b.strength}">${b.strength}</span> ${vs}`;
}

/** `fixed[x]` and `pattern[x]` values, as compact JSON. */
export function fixedValues(element: Json): Array<{ kind: 'fixed' | 'pattern'; type: string; value: unknown }> {
  const out: Array<{ kind: 'fixed' | 'pattern'; type: string; value: unknown }> = [];
  for (const key of Object.keys(element).sort()) {
    const m = /^(fixed|pattern)([A-Z]\w*)$/.exec(key);
    if (m) out.push({ kind: m[1] as 'fixed' | 'pattern', type: m[2], value: element[key] });
  }
  return out;
}

function codingText(c: Json): string {
  return `${c.system ?? ''}#${c.code ?? ''}${c.display ? ` "${c.display}"` : ''}`;
}

/** Codes the way integrators read them (`system#code`); other values as compact JSON. */
export function fixedText(type: string, value: unknown): string {
  const v = value as Json;
  if (typeof value !== 'object' || value === null) return String(value);
  if (type === 'Coding') return codingText(v);
  if (type === 'CodeableConcept' && Array.isArray(v.coding) && Object.keys(v).length === 1) return (v.coding as Json[]).map(codingText).join(', ');
  if (type === 'Quantity' && Object.keys(v).every((k) => ['value', 'unit', 'system', 'code'].includes(k))) return `${v.value ?? ''} ${v.code ?? v.unit ?? ''}`.trim();
  return JSON.stringify(value);
}

function fixedCell(element: Json): Html {
  return html`${fixedValues(element).map((f) => html`<div><span class="label">${f.kind}</span> <code>${fixedText(f.type, f.value)}</code></div>`)}`;
}

function ruleLinks(ids: string[]): Html {
  return html`${ids.map((id, i) => html`${i ? ' ' : ''}<a class="rule" href="rules.html#${id}">${id}</a>`)}`;
}

/** Depth of an element id: `Observation.component:gene-studied.value[x]` → 2. */
function depth(id: string): number {
  return id.split('.').length - 1;
}

function elementLabel(id: string): string {
  const parts = id.split('.');
  return parts.length === 1 ? id : parts[parts.length - 1];
}

/** The snapshot table: every element, in snapshot order. */
export function snapshotTable(sd: Json, linker: Linker): Html {
  const elements = ((sd.snapshot?.element as Json[] | undefined) ?? []) as Json[];
  if (!elements.length) return html`<p class="warning">This StructureDefinition has no snapshot.</p>`;
  const rows = elements.map((e) => {
    const id = String(e.id ?? e.path);
    const prohibited = e.max === '0';
    const card = `${e.min ?? ''}..${e.max ?? ''}`;
    return html`<tr id="${id}"${prohibited ? raw(' class="prohibited"') : ''}>
<td class="path" style="padding-left:${0.4 + depth(id) * 1.1}em"><span title="${id}">${elementLabel(id)}</span>${e.sliceName ? html` <span class="label">slice</span>` : ''}</td>
<td class="card">${card}</td>
<td>${typeCell(e, linker)}</td>
<td>${bindingCell(e, linker)}</td>
<td class="fixed">${fixedCell(e)}</td>
<td class="ms">${e.mustSupport ? html`<span title="must support">S</span>` : ''}</td>
<td>${e.short ?? ''}</td>
<td>${ruleLinks(elementRuleIds(e))}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table class="elements">
<caption>Elements of ${sd.name ?? sd.id} (from the snapshot)</caption>
<thead><tr><th scope="col">Element</th><th scope="col">Card.</th><th scope="col">Type</th><th scope="col">Binding</th><th scope="col">Fixed / pattern</th><th scope="col"><abbr title="Must support">MS</abbr></th><th scope="col">Description</th><th scope="col">Rules</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

/** Invariants the profile adds (not those inherited from the base specification). */
function invariantsTable(sd: Json, ruleIds: Set<string>): Html {
  const base = String(sd.url ?? '');
  const rows: Html[] = [];
  const seen = new Set<string>();
  for (const e of ((sd.snapshot?.element as Json[] | undefined) ?? []) as Json[]) {
    for (const c of (e.constraint as Json[] | undefined) ?? []) {
      const own = c.source === base || (typeof c.source === 'string' && c.source.startsWith('http://ngc.dk/')) || ruleIds.has(c.key);
      if (!own || seen.has(`${e.id}|${c.key}`)) continue;
      seen.add(`${e.id}|${c.key}`);
      rows.push(html`<tr><td>${ruleIds.has(c.key) ? ruleLinks([c.key]) : html`<code>${c.key}</code>`}</td><td>${c.severity}</td><td><code>${e.id}</code></td><td>${c.human}</td><td><code>${c.expression ?? ''}</code></td></tr>`);
    }
  }
  if (!rows.length) return html``;
  return html`<h2 id="invariants">Invariants</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">Severity</th><th scope="col">Element</th><th scope="col">Requirement</th><th scope="col">FHIRPath</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

export interface ArtifactPageContext {
  linker: Linker;
  /** Renders a description (Markdown in FHIR) to HTML. */
  markdown: (source: string) => string;
  ruleIds: Set<string>;
}

function metaTable(rows: Array<[string, Html | string | undefined]>): Html {
  return html`<table class="meta"><tbody>${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

export function isExtension(sd: Json): boolean {
  return sd.type === 'Extension';
}

export function structureDefinitionPage(sd: Json, ctx: ArtifactPageContext): string {
  const kind = isExtension(sd) ? 'Extension' : sd.kind === 'logical' ? 'Logical model' : 'Profile';
  const contexts = ((sd.context as Json[] | undefined) ?? []).map((c) => `${c.type}: ${c.expression}`).join('; ');
  const body = html`<p class="kind">${kind} of <code>${sd.type}</code></p>
${metaTable([
  ['Canonical URL', html`<code>${sd.url}</code>`],
  ['Version', sd.version],
  ['Status', sd.status],
  ['Based on', sd.baseDefinition ? canonicalLink(String(sd.baseDefinition), ctx.linker) : undefined],
  ['Used on', contexts || undefined],
  ['Download', html`<a href="${sd.resourceType}-${sd.id}.json">JSON</a>`],
])}
<h2 id="alignment">Purpose and alignment</h2>
<div class="description">${raw(ctx.markdown(String(sd.description ?? '(no description)')))}</div>
${invariantsTable(sd, ctx.ruleIds)}
<h2 id="elements">Elements</h2>
<p>Rendered from the snapshot. <strong>Card.</strong> is the cardinality; <strong>MS</strong> marks
must-support elements (a sender fills them when it has the data); a struck-out row is prohibited
(0..0). Rule ids link to the <a href="rules.html">rule catalogue</a>.</p>
${snapshotTable(sd, ctx.linker)}`;
  return page({ title: `${sd.title ?? sd.name ?? sd.id}`, file: artifactFile(sd), body });
}

interface ConceptRow {
  code: string;
  display?: string;
  definition?: string;
  da?: string;
  depth: number;
}

function flattenConcepts(concepts: Json[] | undefined, depthNow = 0, out: ConceptRow[] = []): ConceptRow[] {
  for (const c of concepts ?? []) {
    const da = ((c.designation as Json[] | undefined) ?? []).find((d) => typeof d.language === 'string' && d.language.startsWith('da'))?.value;
    out.push({ code: String(c.code), display: c.display, definition: c.definition, da, depth: depthNow });
    flattenConcepts(c.concept as Json[] | undefined, depthNow + 1, out);
  }
  return out;
}

function conceptTable(rows: ConceptRow[], withDefinition: boolean, system?: string, linkRules = false): Html {
  const hasDa = rows.some((r) => r.da);
  return html`<div class="table-wrap"><table class="codes">
<thead><tr><th scope="col">Code</th><th scope="col">Display</th>${hasDa ? html`<th scope="col" lang="da">Dansk</th>` : ''}${withDefinition ? html`<th scope="col">Definition</th>` : ''}</tr></thead>
<tbody>${rows.map(
    (r) => html`<tr${system ? '' : ''}><td style="padding-left:${0.4 + r.depth * 1.1}em">${linkRules ? html`<a href="rules.html#${r.code}">${r.code}</a>` : html`<code>${r.code}</code>`}</td><td>${r.display ?? ''}</td>${hasDa ? html`<td lang="da">${r.da ?? ''}</td>` : ''}${withDefinition ? html`<td>${r.definition && r.definition !== r.display ? r.definition : ''}</td>` : ''}</tr>`,
  )}</tbody></table></div>`;
}

export function codeSystemPage(cs: Json, ctx: ArtifactPageContext): string {
  const rows = flattenConcepts(cs.concept as Json[] | undefined);
  const body = html`${metaTable([
    ['Canonical URL', html`<code>${cs.url}</code>`],
    ['Version', cs.version],
    ['Status', cs.status],
    ['Content', cs.content],
    ['Concepts', String(rows.length)],
    ['Download', html`<a href="${cs.resourceType}-${cs.id}.json">JSON</a>`],
  ])}
<div class="description">${raw(ctx.markdown(String(cs.description ?? '')))}</div>
<h2 id="concepts">Concepts</h2>
${rows.length ? conceptTable(rows, true, cs.url, cs.url === 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule') : html`<p>This code system lists no concepts here (content: ${cs.content}).</p>`}`;
  return page({ title: String(cs.title ?? cs.name ?? cs.id), file: artifactFile(cs), body });
}

function composePart(part: Json, ctx: ArtifactPageContext): Html {
  const system = part.system ? html`codes from ${canonicalLink(String(part.system), ctx.linker)}${part.version ? html` version ${part.version}` : ''}` : html``;
  const sets = ((part.valueSet as string[] | undefined) ?? []).map((v) => canonicalLink(v, ctx.linker));
  const filters = ((part.filter as Json[] | undefined) ?? []).map((f) => html`<li>where <code>${f.property}</code> ${f.op} <code>${f.value}</code></li>`);
  const concepts = ((part.concept as Json[] | undefined) ?? []).map((c) => ({ code: String(c.code), display: c.display, depth: 0 }) as ConceptRow);
  return html`<li>${system}${sets.length ? html`${part.system ? ', ' : ''}codes in ${sets}` : ''}${!concepts.length && !filters.length && part.system ? ' (all codes)' : ''}
${filters.length ? html`<ul>${filters}</ul>` : ''}
${concepts.length ? conceptTable(concepts, false) : ''}</li>`;
}

export function valueSetPage(vs: Json, ctx: ArtifactPageContext): string {
  const include = ((vs.compose?.include as Json[] | undefined) ?? []) as Json[];
  const exclude = ((vs.compose?.exclude as Json[] | undefined) ?? []) as Json[];
  const expansion = ((vs.expansion?.contains as Json[] | undefined) ?? []) as Json[];
  const body = html`${metaTable([
    ['Canonical URL', html`<code>${vs.url}</code>`],
    ['Version', vs.version],
    ['Status', vs.status],
    ['Download', html`<a href="${vs.resourceType}-${vs.id}.json">JSON</a>`],
  ])}
<div class="description">${raw(ctx.markdown(String(vs.description ?? '')))}</div>
<h2 id="definition">Definition</h2>
${include.length ? html`<p>Includes:</p><ul class="compose">${include.map((p) => composePart(p, ctx))}</ul>` : html`<p>No compose definition.</p>`}
${exclude.length ? html`<p>Excludes:</p><ul class="compose">${exclude.map((p) => composePart(p, ctx))}</ul>` : ''}
${expansion.length ? html`<h2 id="expansion">Expansion</h2>${conceptTable(expansion.map((c) => ({ code: String(c.code), display: c.display, depth: 0 })), false)}` : ''}`;
  return page({ title: String(vs.title ?? vs.name ?? vs.id), file: artifactFile(vs), body });
}

export function artifactsIndexPage(resources: Json[]): string {
  const sds = resources.filter((r) => r.resourceType === 'StructureDefinition');
  const profiles = sds.filter((r) => !isExtension(r));
  const extensions = sds.filter(isExtension);
  const list = (rs: Json[], showType: boolean): Html =>
    html`<div class="table-wrap"><table><thead><tr><th scope="col">Name</th>${showType ? html`<th scope="col">Resource</th>` : ''}<th scope="col">Canonical URL</th></tr></thead><tbody>${rs.map(
      (r) => html`<tr><td><a href="${artifactFile(r)}">${r.title ?? r.name ?? r.id}</a></td>${showType ? html`<td><code>${r.type}</code></td>` : ''}<td><code>${r.url}</code></td></tr>`,
    )}</tbody></table></div>`;
  const body = html`<p>Everything in the NGC FHIR package <code>dk.ngc.fhir.genomics</code> 1.0.0. Load the
<a href="package.tgz">package</a> into the HL7 validator or HAPI, or read the resources from the
gateway itself (<code>GET /fhir/StructureDefinition?url=...</code>, see <a href="validator.html">Validator and $validate</a>).</p>
<h2 id="profiles">Profiles</h2>${list(profiles, true)}
<h2 id="extensions">Extensions</h2>${list(extensions, false)}
<h2 id="value-sets">Value sets</h2>${list(resources.filter((r) => r.resourceType === 'ValueSet'), false)}
<h2 id="code-systems">Code systems</h2>${list(resources.filter((r) => r.resourceType === 'CodeSystem'), false)}`;
  return page({ title: 'Profiles and terminology', file: 'artifacts.html', body });
}

export { esc };
