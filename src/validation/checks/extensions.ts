/**
 * Extensions: the definition is looked up by url and the extension validated against it (value
 * type, nested extensions, cardinality), with its context of use; ext-1 is checked natively.
 */
import type { ValidationIssue } from '../issue';
import type { ElementNode, TypeRef } from '../compile/model';
import { report, type Json, type ResourceEnv } from './context';
import type { Engine, Run } from './engine';

const EXTENSION_TYPE: TypeRef = { code: 'Extension', profiles: [], targetProfiles: [] };

export function checkExtension(engine: Engine, run: Run, ext: Json, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[], parent?: Json): void {
  const url = ext.url;
  const hasValue = hasKnownValue(engine, ext);
  const hasChildren = Array.isArray(ext.extension) && ext.extension.length > 0;
  if (hasValue === hasChildren) {
    report(sink, 'error', 'invariant', 'INVARIANT', "Constraint failed: ext-1: 'Must have either extensions or value[x], not both'", path);
  }
  if (typeof url !== 'string') {
    // Extension.url is 1..1: the walk against the base definition reports it
    engine.walkObject(run, ext, node, EXTENSION_TYPE, path, env, sink);
    return;
  }
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url);
  if (!absolute) {
    // a sub-extension of a complex extension: its definition is the parent extension's slice
    engine.walkObject(run, ext, node, EXTENSION_TYPE, path, env, sink);
    if (node.profile.isConstraint && node.slices.length && node.name === 'extension' && node.path.startsWith('Extension.')) {
      const known = node.slices.some((s) => s.children.some((c) => c.name === 'url' && c.fixed === url));
      if (!known) report(sink, 'error', 'structure', 'EXTENSION_SUB_UNKNOWN', `Sub-extension url '${url}' is not defined by the extension ${node.profile.url}`, `${path}.url`);
    }
    return;
  }
  const declared = type.profiles.find((p) => p.split('|')[0] === url);
  const profile = engine.compiler.profile(declared ?? url);
  if (!profile) {
    engine.walkObject(run, ext, node, EXTENSION_TYPE, path, env, sink);
    // an extension nobody can look up cannot be checked, and its meaning is lost to the receiver:
    // HL7 rejects it outside the domains where undefined extensions are tolerated
    if (engine.extensionPolicy.unknown(url) === 'not-allowed') {
      report(sink, 'error', 'extension', 'EXTENSION_UNKNOWN', `The extension ${url} is unknown, and not allowed here: no loaded package defines it`, path);
    } else {
      report(sink, 'information', 'extension', 'EXTENSION_UNKNOWN', `Unknown extension ${url}: not checked (undefined extensions are tolerated in its domain)`, path);
    }
    return;
  }
  if (profile.type !== 'Extension') {
    report(sink, 'error', 'structure', 'EXTENSION_NOT_EXTENSION', `The url ${url} names a ${profile.type} definition, not an extension`, path);
    return;
  }
  engine.walkObject(run, ext, profile.root, EXTENSION_TYPE, path, env, sink);
  engine.checkInvariants(run, ext, profile.root, path, env, sink);
  if (node.name === 'modifierExtension' && !isModifier(profile.root)) {
    report(sink, 'error', 'structure', 'EXTENSION_NOT_MODIFIER', `The extension ${url} is not a modifier extension, but is used as a modifierExtension`, path);
  } else if (node.name === 'extension' && isModifier(profile.root)) {
    report(sink, 'error', 'structure', 'EXTENSION_IS_MODIFIER', `The extension ${url} is a modifier extension, but is used as an extension`, path);
  }
  checkContext(engine, profile.contexts ?? [], url, node, path, env, sink, parent);
}

/**
 * ext-1 reads `value` as the model sees it: a property such as `valueCodeY`, which names no type of
 * Extension.value[x], is an unknown element rather than a value (the HL7 validator agrees).
 */
function hasKnownValue(engine: Engine, ext: Json): boolean {
  const root = engine.compiler.typeRoot('Extension');
  const known = root ? engine.compiler.childMap(root, EXTENSION_TYPE) : undefined;
  for (const k in ext) {
    if (k.length > 5 && k.startsWith('value') && (!known || known.has(k))) return true;
  }
  return false;
}

function isModifier(root: ElementNode): boolean {
  return root.isModifier === true;
}

/** Checks the extension's declared contexts against where it is used (definition path and instance path). */
function checkContext(engine: Engine, contexts: { type: string; expression: string }[], url: string, node: ElementNode, path: string, env: ResourceEnv, sink: ValidationIssue[], parent?: Json): void {
  if (!contexts.length) return;
  const strip = (p: string): string => p.replace(/\[\d+\]/g, '').replace(/\.(extension|modifierExtension)$/, '');
  const holderPath = strip(node.path);
  const holderType = holderPath.includes('.') ? undefined : holderPath;
  const rt = env.resource.resourceType as string;
  const instPath = strip(rt + path.slice(env.path.length));
  const isResource = holderType ? engine.store.isResourceType(holderType) : false;
  const parentUrl = parent && typeof parent.url === 'string' ? parent.url : undefined;
  for (const c of contexts) {
    if (c.type === 'fhirpath') return;
    const e = c.expression;
    if (c.type === 'extension') {
      if (parentUrl === e || (holderPath.startsWith('Extension') && !parentUrl)) return;
      continue;
    }
    if (e === 'Element' || e === 'Base' || e === holderPath || e === instPath || e === holderType) return;
    if ((e === 'Resource' || e === 'DomainResource') && (isResource || instPath === rt)) return;
    if (e.endsWith('[x]') && (instPath.startsWith(e.slice(0, -3)) || holderPath === e)) return;
    if (e === 'Extension' && holderPath.startsWith('Extension')) return;
    // a datatype context (HumanName.given) used inside a resource: compare the element path's tail
    const dot = e.indexOf('.');
    if (dot > 0 && !engine.store.isResourceType(e.slice(0, dot)) && instPath.endsWith(e.slice(dot))) return;
  }
  report(
    sink,
    'error',
    'structure',
    'EXTENSION_CONTEXT',
    `The extension ${url} is not allowed to be used at this point (allowed = ${contexts.map((c) => `${c.type}:${c.expression}`).join('; ')}; this element is [${instPath}])`,
    path,
  );
}
