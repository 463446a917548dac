/** FHIR date, dateTime and instant values as the interval of time they cover. */

export interface TimeInterval {
  /** Earliest instant the value can mean (ms since epoch). */
  start: number;
  /** Latest instant the value can mean. */
  end: number;
}

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
/** Widest time-zone offsets in use, for dates written without a time. */
const EARLIEST_OFFSET_MS = 14 * 3600_000;
const LATEST_OFFSET_MS = 12 * 3600_000;

export const CLOCK_SKEW_MS = 5 * 60_000;

/** Parses a FHIR date/dateTime/instant; null when it is not one (the engine reports the format). */
export function parseFhirTime(value: unknown): TimeInterval | null {
  if (typeof value !== 'string') return null;
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (mo === undefined) return local(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1) - 1);
  const month = Number(mo);
  if (month < 1 || month > 12) return null;
  if (d === undefined) return local(Date.UTC(year, month - 1, 1), Date.UTC(year, month, 1) - 1);
  const day = Number(d);
  if (!isCalendarDate(year, month, day)) return null;
  if (h === undefined) return local(Date.UTC(year, month - 1, day), Date.UTC(year, month - 1, day + 1) - 1);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offsetMinutes = tz === 'Z' ? 0 : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const precision = s === undefined ? 59_999 : frac ? 0 : 999;
  return { start: t, end: t + precision };
}

function local(startUtc: number, endUtc: number): TimeInterval {
  return { start: startUtc - EARLIEST_OFFSET_MS, end: endUtc + LATEST_OFFSET_MS };
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1];
}

/** True only when `a` certainly lies after `b` (partial dates are given the benefit of the doubt). */
export function certainlyAfter(a: TimeInterval, b: TimeInterval): boolean {
  return a.start > b.end;
}

export function inFuture(t: TimeInterval, now: Date): boolean {
  return t.start > now.getTime() + CLOCK_SKEW_MS;
}
