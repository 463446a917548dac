/**
 * References: allowed target types, targetProfile conformance of resolved targets, and resolution
 * of `#id` (contained) and Bundle-internal references (by fullUrl, or relative to the entry's base).
 */
import type { ValidationIssue } from '../issue';
import type { ElementNode, TypeRef } from '../compile/model';
import { report, type Json, type ResourceEnv } from './context';
import { referenceType } from './bundle';
import type { Engine, Run } from './engine';

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

export interface Resolved {
  resource: Json;
  path: string;
  fullUrl?: string;
  env?: ResourceEnv;
}

export function resolveReference(ref: string, env: ResourceEnv): Readonly<Resolved> | undefined {
  if (ref.startsWith('#')) {
    if (ref === '#') return { resource: env.rootResource, path: env.isContained ? env.path.replace(/\.contained\[\d+\]$/, '') : env.path };
    const hit = env.contained?.get(ref.slice(1));
    return hit ? { resource: hit.resource, path: hit.path, fullUrl: env.fullUrl } : undefined;
  }
  // the Bundle's own entry record (read only): a copy per reference was garbage on every resolution
  return env.bundle?.resolve(ref, env.fullUrl);
}

function profileType(engine: Engine, url: string): string | undefined {
  const bare = url.split('|')[0];
  if (bare.startsWith(CORE) && engine.store.isResourceType(bare.slice(CORE.length))) return bare.slice(CORE.length);
  if (bare === CORE + 'Resource' || bare === CORE + 'DomainResource') return 'Resource';
  return engine.compiler.profile(bare)?.type;
}

export function checkReference(engine: Engine, run: Run, value: Json, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[]): void {
  const ref = value.reference;
  if (typeof ref !== 'string') return;
  const rule = node.profile.isConstraint ? node.rule : undefined;
  // the HL7 validator reports on the Reference element itself; an issue that enforces a profile's
  // business rule keeps pointing at `.reference`, as the rules' own reference checks do
  const refPath = path;
  const rulePath = rule ? `${path}.reference` : path;
  const resolved = resolveReference(ref, env);

  if (!resolved) {
    if (ref.startsWith('#')) {
      report(sink, 'error', 'not-found', 'REF_UNRESOLVED', `Unable to resolve the reference '${ref}' to a contained resource`, refPath);
    } else if (env.bundle) {
      const bundleType = env.bundle.type;
      if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
        report(sink, 'error', 'not-found', 'REF_UNRESOLVED', `Unable to resolve the reference '${ref}': no Bundle entry has this fullUrl`, refPath);
      } else if (bundleType === 'document' || bundleType === 'message') {
        report(sink, 'error', 'not-found', 'REF_UNRESOLVED', `Unable to find '${ref}' in the ${bundleType} Bundle: references in a ${bundleType} must resolve within the Bundle`, refPath);
      } else if (bundleType === 'collection') {
        report(sink, 'warning', 'not-found', 'REF_UNRESOLVED', `Unable to find '${ref}' in the Bundle`, refPath);
      }
    }
  }

  const found = resolved ? (resolved.resource.resourceType as string | undefined) : referenceType(ref);
  if (found && !resolved && !engine.store.isResourceType(found)) {
    report(sink, 'error', 'structure', 'REF_BAD_TYPE', `The reference '${ref}' names the type '${found}', which is not a FHIR resource type`, refPath);
    return;
  }
  if (typeof value.type === 'string' && found && value.type !== found) {
    report(sink, 'error', 'structure', 'REF_TYPE_MISMATCH', `The reference type '${value.type}' does not match the type of the target '${found}'`, `${path}.type`);
  }
  if (!type.targetProfiles.length || !found) return;
  const allowedTypes = allowedTargetTypes(engine, type);
  if (!allowedTypes.includes('Resource') && allowedTypes.length && !allowedTypes.includes(found)) {
    report(sink, 'error', 'structure', 'REF_WRONG_TYPE', `Invalid Resource target type. Found ${found}, but expected one of (${[...new Set(allowedTypes)].join(', ')})`, rulePath, rule);
    return;
  }
  if (!resolved) return;
  const candidates = candidatesFor(engine, type, found);
  if (!candidates.length) return;
  // A target that declares one of the profiles is validated against it where it stands, in the same
  // run; judging it again here would repeat each of its defects at every reference to it.
  if (declaresAnyProfile(resolved.resource, candidates)) return;
  const contained = ref.startsWith('#');
  const ok = candidates.some((url) => engine.conformsTo(run, resolved.resource, url, resolved.path, env, resolved.fullUrl, contained));
  if (!ok) {
    report(sink, 'error', 'structure', 'REF_PROFILE', `The target of the reference '${ref}' does not conform to ${candidates.length > 1 ? 'any of the profiles' : 'the profile'} ${candidates.join(', ')}`, rulePath, rule);
  }
}

const allowedCache = new WeakMap<TypeRef, string[]>();
const candidatesByType = new WeakMap<TypeRef, Map<string, string[]>>();

/** The targetProfiles (real profiles) that apply to a target of the type found, per reference type (the same few recur). */
function candidatesFor(engine: Engine, type: TypeRef, found: string): string[] {
  let byType = candidatesByType.get(type);
  if (!byType) {
    byType = new Map();
    candidatesByType.set(type, byType);
  }
  let list = byType.get(found);
  if (!list) {
    list = profileCandidates(engine, type).filter((t) => profileType(engine, t) === found);
    byType.set(found, list);
  }
  return list;
}
const candidateCache = new WeakMap<TypeRef, string[]>();

/** targetProfiles that are real profiles (not the base definition of a resource type). */
function profileCandidates(engine: Engine, type: TypeRef): string[] {
  let list = candidateCache.get(type);
  if (!list) {
    list = type.targetProfiles.filter((t) => !isCoreType(t));
    candidateCache.set(type, list);
  }
  void engine;
  return list;
}

function allowedTargetTypes(engine: Engine, type: TypeRef): string[] {
  let list = allowedCache.get(type);
  if (!list) {
    list = type.targetProfiles.map((t) => profileType(engine, t)).filter((t): t is string => !!t);
    allowedCache.set(type, list);
  }
  return list;
}

function isCoreType(url: string): boolean {
  return url.startsWith(CORE) && /^[A-Z][A-Za-z]+$/.test(url.slice(CORE.length).split('|')[0]);
}


function declaresAnyProfile(resource: Record<string, unknown>, profiles: string[]): boolean {
  const meta = resource.meta as { profile?: unknown } | undefined;
  if (!meta || !Array.isArray(meta.profile)) return false;
  // runs at every reference into a Bundle: compared without building sets or split strings
  for (const p of meta.profile) {
    if (typeof p !== 'string') continue;
    for (const candidate of profiles) if (sameCanonical(p, candidate)) return true;
  }
  return false;
}

/** Equal canonical URLs, versions ('|x') aside. */
function sameCanonical(a: string, b: string): boolean {
  const ea = a.indexOf('|');
  const eb = b.indexOf('|');
  const la = ea < 0 ? a.length : ea;
  const lb = eb < 0 ? b.length : eb;
  return la === lb && (ea < 0 && eb < 0 ? a === b : a.startsWith(b.slice(0, lb)));
}
