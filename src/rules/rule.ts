import type { ValidationIssue } from '../validation/issue';
import type { BundleContext } from './context';

/** A business rule: a pure function of the Bundle context. */
export type Rule = (ctx: BundleContext) => ValidationIssue[];
