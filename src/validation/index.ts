export * from './issue';
export * from './outcome';
export type { ValidateOptions, Validator, CreateValidator } from './validator-types';
export { createValidator, type ValidatorOptions, type EngineValidator } from './validator';
export { DEFAULT_RULE_EXTENSION, RuleCatalog, type RuleOptions } from './rules';
export { NATIVE_INVARIANTS } from './compile/fhirpath';
