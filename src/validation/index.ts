/**
 * The FHIR R4 validation engine. Callers need only:
 *   const validator = createValidator({ packages: [dir] });   // loads and indexes definitions once
 *   validator.warmUp();                                         // optional: compile common types now
 *   const issues = validator.validate(resource, { profiles }); // every issue, never stops at the first
 *   operationOutcome(issues);                                   // the one OperationOutcome builder
 * Issue kinds are stable `messageId`s (JSON_NULL, JSON_EMPTY, UNKNOWN_ELEMENT, CARDINALITY_MIN, ...);
 * issues a profile constraint raises carry the business rule of the element that names one.
 */
export * from './issue';
export * from './outcome';
export type { ValidateOptions, Validator, CreateValidator } from './validator-types';
export { createValidator, type ValidatorOptions, type EngineValidator } from './validator';
export { DEFAULT_RULE_EXTENSION, RuleCatalog, type RuleOptions } from './rules';
export { NATIVE_INVARIANTS } from './compile/fhirpath';
