/** SUB-01 to SUB-09: the Bundle as a submission (SUB-10 to SUB-13 belong to the HTTP intake). */
import type { ValidationIssue } from '../validation/issue';
import { asArray, isObject, str, type Entry } from './context';
import { inFuture, parseFhirTime } from './time';
import type { Rule } from './rule';

const URN_UUID = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const sub01: Rule = (ctx) => {
  const b = ctx.bundle as unknown as Record<string, unknown>;
  if (b.resourceType !== 'Bundle') {
    return [ctx.issue('SUB-01', { code: 'structure', diagnostics: `The body is a ${String(b.resourceType)}, not a Bundle`, expression: 'Bundle' })];
  }
  if (b.type !== 'transaction') {
    return [ctx.issue('SUB-01', { code: 'value', diagnostics: `Bundle.type is '${String(b.type ?? '')}', must be 'transaction'`, expression: 'Bundle.type' })];
  }
  return [];
};

export const sub02: Rule = (ctx) => {
  const id = ctx.bundle.identifier;
  if (!isObject(id)) return [ctx.issue('SUB-02', { code: 'required', diagnostics: 'Bundle.identifier is missing', expression: 'Bundle' })];
  const out: ValidationIssue[] = [];
  if (typeof id.system !== 'string') out.push(ctx.issue('SUB-02', { code: 'required', diagnostics: 'Bundle.identifier has no system', expression: 'Bundle.identifier' }));
  if (typeof id.value !== 'string') out.push(ctx.issue('SUB-02', { code: 'required', diagnostics: 'Bundle.identifier has no value', expression: 'Bundle.identifier' }));
  return out;
};

export const sub03: Rule = (ctx) => {
  const ts = ctx.bundle.timestamp;
  if (ts === undefined) return [ctx.issue('SUB-03', { code: 'required', diagnostics: 'Bundle.timestamp is missing', expression: 'Bundle' })];
  const t = parseFhirTime(ts);
  if (t && inFuture(t, ctx.now)) {
    return [ctx.issue('SUB-03', { code: 'business-rule', diagnostics: `Bundle.timestamp ${ts} lies more than 5 minutes in the future`, expression: 'Bundle.timestamp' })];
  }
  return [];
};

export const sub04: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  asArray(ctx.bundle.entry).forEach((entry, i) => {
    if (!isObject(entry)) return;
    const at = `Bundle.entry[${i}]`;
    const fullUrl = str(entry.fullUrl);
    if (fullUrl === undefined) out.push(ctx.issue('SUB-04', { code: 'required', diagnostics: 'The entry has no fullUrl', expression: at }));
    else if (!URN_UUID.test(fullUrl)) out.push(ctx.issue('SUB-04', { code: 'value', diagnostics: `fullUrl '${fullUrl}' is not of the form urn:uuid:<uuid>`, expression: `${at}.fullUrl` }));
    else {
      const key = fullUrl.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) out.push(ctx.issue('SUB-04', { code: 'duplicate', diagnostics: `fullUrl '${fullUrl}' is already used by Bundle.entry[${first}]`, expression: `${at}.fullUrl` }));
      else seen.set(key, i);
    }

    const resource = isObject(entry.resource) ? entry.resource : undefined;
    if (!resource) out.push(ctx.issue('SUB-04', { code: 'required', diagnostics: 'The entry has no resource', expression: at }));
    const request = entry.request;
    if (!isObject(request)) {
      out.push(ctx.issue('SUB-04', { code: 'required', diagnostics: 'The entry has no request (method POST, url = resource type)', expression: at }));
      return;
    }
    if (request.method !== 'POST') {
      out.push(ctx.issue('SUB-04', { code: 'value', diagnostics: `request.method is '${String(request.method ?? '')}', must be POST`, expression: `${at}.request.method` }));
    }
    const type = resource ? str(resource.resourceType) : undefined;
    if (type && request.url !== type) {
      out.push(ctx.issue('SUB-04', { code: 'value', diagnostics: `request.url is '${String(request.url ?? '')}', must be the resource type '${type}'`, expression: `${at}.request.url` }));
    }
  });
  return out;
};

export const sub05: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  for (const entry of ctx.entries) {
    const allowed = entry.profile ? ctx.data.profiles.profiles[entry.profile].references : undefined;
    for (const site of ctx.references(entry)) {
      const reference = site.ref.reference as string;
      if (reference.startsWith('#')) {
        const contained = asArray(entry.resource.contained).some((c) => isObject(c) && `#${String(c.id)}` === reference);
        if (!contained) out.push(ctx.issue('SUB-05', { code: 'not-found', diagnostics: `Reference '${reference}' names no contained resource`, expression: `${site.path}.reference` }));
        continue;
      }
      const target = ctx.resolve(site.ref);
      if (!target) {
        out.push(ctx.issue('SUB-05', { code: 'not-found', diagnostics: `Reference '${reference}' does not resolve to the fullUrl of an entry of this Bundle`, expression: `${site.path}.reference` }));
        continue;
      }
      if (!allowed) continue; // the entry's own profile is unknown (SUB-06): no knock-on errors
      const targetProfiles = allowed[site.element];
      if (!targetProfiles) {
        out.push(ctx.issue('SUB-05', { code: 'business-rule', diagnostics: `${entry.resource.resourceType}.${site.element} may not reference other entries in an ${entry.profile}`, expression: `${site.path}.reference` }));
        continue;
      }
      const types = ctx.targetTypes(entry.profile as string, site.element) as ReadonlySet<string>;
      // Where the standard names a rule for this reference, that rule reports the wrong target.
      const specificRule = ctx.data.profiles.profiles[entry.profile as string].targetRules[site.element];
      if (!types.has(target.resource.resourceType) && !specificRule) {
        out.push(ctx.issue('SUB-05', {
          code: 'business-rule',
          diagnostics: `${entry.resource.resourceType}.${site.element} points at a ${target.resource.resourceType}; allowed: ${[...types].join(', ')}`,
          expression: `${site.path}.reference`,
        }));
      }
    }
  }
  return out;
};

export const sub06: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  const { profiles } = ctx.data.profiles;
  const profiledTypes = ctx.profiledTypes();
  for (const entry of ctx.entries) {
    const type = entry.resource.resourceType;
    if (!profiledTypes.has(type)) {
      out.push(ctx.issue('SUB-06', { code: 'not-supported', diagnostics: `Resource type ${type} has no NGC profile and is not allowed in a submission`, expression: entry.path }));
      continue;
    }
    const meta = entry.resource.meta;
    const declared = isObject(meta) ? asArray(meta.profile) : [];
    if (declared.length !== 1) {
      out.push(ctx.issue('SUB-06', {
        code: declared.length ? 'business-rule' : 'required',
        diagnostics: `meta.profile must name exactly one NGC profile; it names ${declared.length}`,
        expression: declared.length ? `${entry.path}.meta.profile` : entry.path,
      }));
      continue;
    }
    const id = ctx.ngcProfileId(declared[0]);
    if (!id) {
      out.push(ctx.issue('SUB-06', { code: 'value', diagnostics: `meta.profile '${String(declared[0])}' is not an NGC profile URL`, expression: `${entry.path}.meta.profile[0]` }));
    } else if (profiles[id].type !== type) {
      out.push(ctx.issue('SUB-06', { code: 'value', diagnostics: `${id} profiles ${profiles[id].type}, not ${type}`, expression: `${entry.path}.meta.profile[0]` }));
    }
  }
  return out;
};

export const sub07: Rule = (ctx) => {
  const out: ValidationIssue[] = [];
  // Entries whose profile is unknown (SUB-06) might be the missing one: do not count them as absent.
  const unknownTypes = new Set(ctx.entries.filter((e) => !e.profile).map((e) => e.resource.resourceType));
  for (const [profile, { min, max }] of Object.entries(ctx.data.profiles.bundleCounts)) {
    const found = ctx.withProfile(profile);
    if (found.length < min && !unknownTypes.has(ctx.data.profiles.profiles[profile].type)) {
      out.push(ctx.issue('SUB-07', { code: 'required', diagnostics: `The Bundle contains no ${profile}`, expression: 'Bundle.entry' }));
    } else if (max !== null && found.length > max) {
      for (const extra of found.slice(max)) {
        out.push(ctx.issue('SUB-07', { code: 'business-rule', diagnostics: `The Bundle may contain only one ${profile}`, expression: extra.path }));
      }
    }
  }
  return out;
};

export const sub08: Rule = (ctx) => {
  const report = ctx.single('ngc-genomic-report');
  if (!report) return [];
  const reached = new Set<Entry>([report]);
  const queue = [report];
  while (queue.length) {
    const entry = queue.shift() as Entry;
    for (const site of ctx.references(entry)) {
      const target = ctx.resolve(site.ref);
      if (target && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return ctx.entries
    .filter((e) => !reached.has(e))
    .map((e) => ctx.issue('SUB-08', { code: 'business-rule', diagnostics: `This ${e.resource.resourceType} is not reachable from the genomic report by references`, expression: e.path }));
};

export const sub09: Rule = (ctx) => {
  const report = ctx.single('ngc-genomic-report');
  const patient = report ? ctx.resolve(report.resource.subject) : undefined;
  if (!report || !patient || patient.resource.resourceType !== 'Patient') return [];
  const out: ValidationIssue[] = [];
  for (const entry of ctx.entries) {
    if (entry === report || !isObject(entry.resource.subject)) continue;
    const target = ctx.resolve(entry.resource.subject);
    // An unresolved reference or one to a non-Patient is SUB-05's error already.
    if (target && target !== patient && target.resource.resourceType === 'Patient') {
      out.push(ctx.issue('SUB-09', {
        code: 'business-rule',
        diagnostics: `subject points at ${target.fullUrl}, not at the report's patient ${patient.fullUrl}`,
        expression: `${entry.path}.subject`,
      }));
    }
  }
  return out;
};

export const submissionRules: Rule[] = [sub01, sub02, sub03, sub04, sub05, sub06, sub07, sub08, sub09];
