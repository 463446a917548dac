/** Contract of the FHIR validation engine's entry point (implemented in src/validation). */
import type { ValidationIssue } from './issue';
import type { ConformanceStore, LoadOptions } from './definitions/types';

export interface ValidateOptions {
  /** Profiles to check against in addition to those the resource declares in meta.profile. */
  profiles?: string[];
  /** Root of the expressions (default: the resource type, e.g. `Bundle`). */
  rootPath?: string;
}

export interface Validator {
  readonly conformance: ConformanceStore;
  /** Validates any R4 resource (a Bundle or not) against the base spec, its meta.profile and options.profiles. */
  validate(resource: unknown, options?: ValidateOptions): ValidationIssue[];
}

export type CreateValidator = (options?: LoadOptions) => Validator;
