import { cprCentury, decodeCpr, parseFhirTime } from '../../src/rules';

describe('CPR century and date (PAT-02)', () => {
  test.each([
    [0, 99, 1900], [3, 0, 1900],
    [4, 36, 2000], [4, 37, 1900], [9, 0, 2000], [9, 99, 1900],
    [5, 57, 2000], [5, 58, 1800], [8, 12, 2000], [6, 99, 1800],
  ])('digit 7 = %i, YY = %i → %i', (digit7, yy, century) => expect(cprCentury(digit7, yy)).toBe(century));

  test.each([
    ['1203914568', '1991-03-12', 'female'],
    ['0507824127', '1982-07-05', 'male'],
    ['2902004123', '2000-02-29', 'male'], // 2000 is a leap year
    ['2902966123', '1896-02-29', 'male'], // digit 7 = 6 and YY 96 → 1800s; 1896 is a leap year
    ['1406124123', '2012-06-14', 'male'],
  ])('%s → %s, %s', (cpr, birthDate, sex) => expect(decodeCpr(cpr)).toEqual({ ok: true, value: { birthDate, sex } }));

  test.each([
    ['2902001234', 'date'], // 1900 had no 29 February
    ['2902974123', 'date'], // 1997
    ['3204914568', 'date'],
    ['0013914568', 'date'],
    ['120391-4568', 'form'],
    ['12039145', 'form'],
  ])('%s is rejected (%s)', (cpr, reason) => expect(decodeCpr(cpr)).toMatchObject({ ok: false, reason }));

  test('modulus 11 is not checked', () => {
    // 0101801235 does not pass modulus 11 but is a valid CPR since 2007
    expect(decodeCpr('0101801235').ok).toBe(true);
  });
});

describe('FHIR times as intervals', () => {
  test('instant', () => {
    expect(parseFhirTime('2025-03-14T10:15:00+01:00')).toEqual({ start: Date.UTC(2025, 2, 14, 9, 15), end: Date.UTC(2025, 2, 14, 9, 15) + 999 });
  });
  test('partial dates cover their whole period in any time zone', () => {
    const day = parseFhirTime('2025-03-14');
    expect(day!.start).toBeLessThan(Date.UTC(2025, 2, 14));
    expect(day!.end).toBeGreaterThan(Date.UTC(2025, 2, 15));
    const year = parseFhirTime('2025');
    expect(year!.start).toBeLessThan(Date.UTC(2025, 0, 1));
    expect(year!.end).toBeGreaterThan(Date.UTC(2025, 11, 31, 23));
  });
  test.each(['2025-02-29', '2025-13-01', '2025-03-14T25:00:00Z', '2025-03-14T10:00:00', 'yesterday', 20250314])('%s is not a FHIR time', (v) => {
    expect(parseFhirTime(v)).toBeNull();
  });
});
