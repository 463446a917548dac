export { parseSubmissionBody, DEFAULT_INTAKE_LIMITS, type IntakeLimits, type IntakeResult } from './parse-submission';
export { checkMediaType, FHIR_JSON, type MediaTypeVerdict } from './media-type';
export { readBodyLimited, BodyTooLargeError, BodyReadError } from './read-body';
export { parseStrictJson, FORBIDDEN_KEYS, type JsonProblem, type StrictParseResult } from './json-parser';
export { formatPath } from './path';
export { ruleRef } from './rule-texts';
