/**
 * The guide and the conformance routes inside the gateway's own app (createApp): conformance
 * resources need no token and keep /fhir's content negotiation; the guide is served at /ig/ when
 * the app is given one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createIgRouter } from '../../src/ig';
import { buildSite } from '../../src/ig/site';
import type { SubmissionVerdict } from '../../src/submission';
import { startHarness, type Harness } from '../http/support/harness';

let h: Harness;
let tmp: string;
let validatorReady = false;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-ig-app-'));
  buildSite({ outDir: path.join(tmp, 'site') });
  // Like serve: the validator exists only once the definitions are compiled.
  const stand: { validateBytes(b: Buffer): SubmissionVerdict } = { validateBytes: () => ({ valid: true, status: 200, issues: [] }) };
  const guide = createIgRouter({ siteDir: path.join(tmp, 'site'), submissionValidator: () => (validatorReady ? stand : undefined) });
  h = await startHarness({ guide });
}, 60_000);

afterAll(async () => {
  await h.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('conformance resources are public and searchable by url in the real app', async () => {
  const url = 'http://ngc.dk/fhir/genomics/ValueSet/ngc-analysis-type';
  const res = await fetch(`${h.url}/fhir/ValueSet?url=${encodeURIComponent(url)}`);
  expect(res.status).toBe(200);
  const bundle = await res.json();
  expect(bundle.total).toBe(1);
  expect(bundle.entry[0].resource.url).toBe(url);
  const byId = await fetch(`${h.url}/fhir/StructureDefinition/ngc-genomic-report`);
  expect(byId.status).toBe(200);
  // /fhir speaks FHIR JSON only: the app's negotiation applies here too.
  const xml = await fetch(`${h.url}/fhir/StructureDefinition?_format=xml`);
  expect(xml.status).toBe(406);
});

test('the guide is served at /ig/ and its validator answers 503 until the engine is ready', async () => {
  const index = await fetch(`${h.url}/ig/`);
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('NGC Genomic Reporting');
  const early = await fetch(`${h.url}/ig/validate`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/fhir+json' } });
  expect(early.status).toBe(503);
  expect(early.headers.get('retry-after')).toBe('5');
  validatorReady = true;
  const ready = await fetch(`${h.url}/ig/validate`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/fhir+json' } });
  expect(ready.status).toBe(200);
});
