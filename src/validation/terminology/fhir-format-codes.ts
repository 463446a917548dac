/**
 * R4 lets the short FHIR format names stand where a MIME type is bound: CapabilityStatement.format
 * says "'xml', 'json' and 'ttl' are allowed, which describe the simple encodings described in the
 * specification (and imply appropriate bundle support). Otherwise, mime types are legal here." The
 * HL7 validator accepts them for any element bound to the mimetypes value set, before R6.
 */
import { BCP13 } from './external';

const MIME_TYPES_VALUE_SET = 'http://hl7.org/fhir/ValueSet/mimetypes';
const FORMAT_NAMES: ReadonlySet<string> = new Set(['xml', 'json', 'ttl']);

/** Whether a code is one of the format names accepted in place of a MIME type in this value set. */
export function isFhirFormatName(valueSetUrl: string, system: string | undefined, code: string): boolean {
  return valueSetUrl === MIME_TYPES_VALUE_SET && (system === undefined || system === BCP13) && FORMAT_NAMES.has(code);
}
