/**
 * FHIR R4 primitive datatypes: the JSON type each must have and its lexical format
 * (regular expressions of the R4 specification, plus calendar checks the regexes cannot express).
 */

export type JsonKind = 'string' | 'number' | 'boolean';

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const DATE_RE = new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`);
const TZ = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const DATETIME_RE = new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${TIME}${TZ})?)?)?$`);
const INSTANT_RE = new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${TIME}${TZ}$`);
const TIME_RE = new RegExp(`^${TIME}$`);
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const CODE_RE = /^[^\s]+( [^\s]+)*$/;
const OID_RE = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const UUID_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64_RE = /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/;
const URI_WS_RE = /\s/;

export interface PrimitiveProblem {
  messageId: string;
  message: string;
}

export function jsonKindOf(type: string): JsonKind {
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt':
    case 'decimal':
      return 'number';
    default:
      return 'string';
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The ASCII digit at `i`, or -1: read by char codes, as every date and dateTime of a report comes through here. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Does a value starting YYYY-MM-DD name a day of the calendar (no 30 February)? Other values pass. */
function validCalendarDate(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return true;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const c = digitAt(value, i);
    if (c < 0) return true;
    y = y * 10 + c;
  }
  const m1 = digitAt(value, 5);
  const m2 = digitAt(value, 6);
  const d1 = digitAt(value, 8);
  const d2 = digitAt(value, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return true;
  const mo = m1 * 10 + m2;
  if (mo < 1 || mo > 12) return false;
  const days = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo - 1];
  return d1 * 10 + d2 <= days;
}

/** Checks a primitive value whose JSON type is already right. Returns a problem or undefined. */
export function checkPrimitiveFormat(type: string, value: unknown): PrimitiveProblem | undefined {
  switch (type) {
    case 'boolean':
      return undefined;
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt': {
      const n = value as number;
      if (!Number.isInteger(n)) return { messageId: 'TYPE_FORMAT', message: `The value '${n}' is not a valid integer` };
      if (n > 2147483647 || n < -2147483648) return { messageId: 'TYPE_RANGE', message: `The value '${n}' is outside the range of a 32-bit integer` };
      if (type === 'positiveInt' && n < 1) return { messageId: 'TYPE_RANGE', message: `The value '${n}' is not a positiveInt: it must be 1 or more` };
      if (type === 'unsignedInt' && n < 0) return { messageId: 'TYPE_RANGE', message: `The value '${n}' is not an unsignedInt: it must be 0 or more` };
      return undefined;
    }
    case 'decimal':
      return Number.isFinite(value as number) ? undefined : { messageId: 'TYPE_FORMAT', message: `The value '${value}' is not a valid decimal` };
  }
  const s = value as string;
  switch (type) {
    case 'id':
      return ID_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `Invalid id '${s}': an id is 1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'` };
    case 'code':
      return CODE_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `The code '${s}' is not valid (leading, trailing or repeated whitespace)` };
    case 'date':
      return DATE_RE.test(s) && validCalendarDate(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `Not a valid date format: '${s}'` };
    case 'dateTime':
      return DATETIME_RE.test(s) && validCalendarDate(s)
        ? undefined
        : { messageId: 'TYPE_FORMAT', message: `Not a valid date/time ('${s}')${s.includes('T') ? ': a dateTime with a time must have seconds and a timezone' : ''}` };
    case 'instant':
      return INSTANT_RE.test(s) && validCalendarDate(s)
        ? undefined
        : { messageId: 'TYPE_FORMAT', message: `Not a valid instant ('${s}'): an instant needs date, time to the second and timezone` };
    case 'time':
      return TIME_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `Not a valid time: '${s}'` };
    case 'uri':
    case 'url':
    case 'canonical':
      if (URI_WS_RE.test(s)) return { messageId: 'TYPE_FORMAT', message: `URI values cannot contain whitespace ('${s}')` };
      if (s.startsWith('urn:oid:') && !OID_RE.test(s)) return { messageId: 'TYPE_FORMAT', message: `The OID '${s}' is not valid` };
      if (s.startsWith('urn:uuid:') && !UUID_RE.test(s)) return { messageId: 'TYPE_FORMAT', message: `The UUID '${s}' is not valid` };
      return undefined;
    case 'oid':
      return OID_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `The OID '${s}' is not valid: expected urn:oid: followed by an OID` };
    case 'uuid':
      return UUID_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: `The UUID '${s}' is not valid: expected urn:uuid: and a lowercase UUID` };
    case 'base64Binary':
      return BASE64_RE.test(s) ? undefined : { messageId: 'TYPE_FORMAT', message: 'The value is not valid base64 content' };
    case 'xhtml':
      // the outer div only: its content (elements, attributes, well-formedness) is checked by xhtml.ts
      if (!/^\s*<div[\s>]/.test(s)) return { messageId: 'XHTML', message: 'Narrative XHTML must start with a <div> element' };
      if (!/xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["']/.test(s)) {
        return { messageId: 'XHTML', message: 'Narrative <div> must have the XHTML namespace (xmlns="http://www.w3.org/1999/xhtml")' };
      }
      return undefined;
    default:
      return undefined;
  }
}
