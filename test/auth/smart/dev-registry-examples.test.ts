import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, DiagnosticReport, Organization } from 'fhir/r4';
import { DEV_SOR_CODES } from '../../../src/auth/smart';

const VALID = path.join(__dirname, '..', '..', '..', 'implementation-guide', 'examples', 'valid');
const SOR = 'urn:oid:1.2.208.176.1.1';

/** The fresh-clone demo: `ngc-gateway submit` of any valid example must pass SUB-12 for the dev client. */
describe('development client registry', () => {
  const files = fs.readdirSync(VALID).filter((f) => f.endsWith('.json'));
  it.each(files)('may report for the performing laboratory of %s', (file) => {
    const bundle = JSON.parse(fs.readFileSync(path.join(VALID, file), 'utf8')) as Bundle;
    const resources = (bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }));
    const report = resources.find((e) => e.resource?.resourceType === 'DiagnosticReport')?.resource as DiagnosticReport;
    const sorCodes = (report.performer ?? []).map((p) => {
      const org = resources.find((e) => e.fullUrl === p.reference)?.resource as Organization;
      return org.identifier?.find((i) => i.system === SOR)?.value;
    });
    expect(sorCodes.length).toBeGreaterThan(0);
    for (const sor of sorCodes) expect(DEV_SOR_CODES).toContain(sor);
  });
});
