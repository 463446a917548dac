/** Per-resource context of a validation walk, and helpers to report issues. */
import type { IssueSeverity, IssueType, RuleRef, ValidationIssue } from '../issue';
import type { BundleIndex } from './bundle';

export type Json = Record<string, unknown>;

export interface ResourceEnv {
  resource: Json;
  /** %rootResource: the container for contained resources, else the resource itself. */
  rootResource: Json;
  path: string;
  bundle?: BundleIndex;
  /** fullUrl of the Bundle entry holding this resource (or its container). */
  fullUrl?: string;
  /** Contained resources of the resource (or of its container, for a contained resource) by id. */
  contained?: Map<string, { resource: Json; path: string }>;
  isContained: boolean;
  /** Element ids met so far in this resource, and the object carrying each (see ids.ts). */
  elementIds?: Map<string, { holder: object; path: string }>;
  /** The ids met inside a StructureDefinition's snapshot, a scope of their own (see ids.ts). */
  snapshotElementIds?: Map<string, { holder: object; path: string }>;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Is the character at `i` an ASCII capital (the type suffix of a choice property: valueString)? A
 * regex literal in a loop is a new RegExp object per evaluation, and this runs per property.
 */
export function isUpperAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 65 && c <= 90;
}

export function report(
  sink: ValidationIssue[],
  severity: IssueSeverity,
  code: IssueType,
  messageId: string,
  diagnostics: string,
  expression: string,
  rule?: RuleRef,
): void {
  const issue: ValidationIssue = { severity, code, diagnostics, expression, messageId };
  if (rule) issue.rule = rule;
  sink.push(issue);
}

export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

const INDEX_SUFFIXES: string[] = [];

/** '[i]', kept per index: an array item's path is then one concatenation (this runs for every item). */
export function indexSuffix(i: number): string {
  return i < 100_000 ? (INDEX_SUFFIXES[i] ??= `[${i}]`) : `[${i}]`;
}
