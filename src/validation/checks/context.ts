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
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
