/** The Danish CPR number: date of birth, century and sex encoded in its digits (PAT-02, PAT-03, PAT-04). */
import { isCalendarDate } from './time';

export const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2';

export interface CprInfo {
  /** The encoded birth date, `YYYY-MM-DD`. */
  birthDate: string;
  /** From the parity of the last digit. */
  sex: 'male' | 'female';
}

export type CprResult = { ok: true; value: CprInfo } | { ok: false; reason: 'form' | 'date'; message: string };

/** The century of a CPR number's DDMMYY, from digit 7 and YY. */
export function cprCentury(digit7: number, yy: number): number {
  if (digit7 <= 3) return 1900;
  if (digit7 === 4 || digit7 === 9) return yy <= 36 ? 2000 : 1900;
  return yy <= 57 ? 2000 : 1800;
}

/** Decodes a CPR number. Modulus 11 is deliberately not checked: numbers issued since 2007 need not pass it. */
export function decodeCpr(value: string): CprResult {
  if (!/^[0-9]{10}$/.test(value)) return { ok: false, reason: 'form', message: 'a CPR number is 10 digits with no hyphen' };
  const day = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const yy = Number(value.slice(4, 6));
  const year = cprCentury(Number(value[6]), yy) + yy;
  if (!isCalendarDate(year, month, day)) {
    return { ok: false, reason: 'date', message: `digits 1-6 (${value.slice(0, 6)}) are no calendar date in ${year} (century from digit 7)` };
  }
  const birthDate = `${year}-${value.slice(2, 4)}-${value.slice(0, 2)}`;
  return { ok: true, value: { birthDate, sex: Number(value[9]) % 2 === 1 ? 'male' : 'female' } };
}
