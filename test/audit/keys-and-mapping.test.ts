/** Audit keys from file/environment/dev file, and the mapping of issue expressions to payload lines. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditKeyError, createPayloadCipher, DEV_KEYS_FILE, loadAuditKeys, prettyWithSpans, retentionDaysFrom, spanOfExpression, personIdentifiers } from '../../src/audit';
import { typicalBundle } from '../http/support/bundle';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-audit-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const hex = () => crypto.randomBytes(32).toString('hex');

describe('audit keys', () => {
  it('refuses to start in production without keys and never generates one there', () => {
    const dir = tmp();
    expect(() => loadAuditKeys({ env: {}, dataDir: dir, nodeEnv: 'production' })).toThrow(AuditKeyError);
    expect(fs.existsSync(path.join(dir, DEV_KEYS_FILE))).toBe(false);
  });

  it('generates a development key file once (mode 600) and reuses it', () => {
    const dir = tmp();
    const logs: string[] = [];
    const a = loadAuditKeys({ env: {}, dataDir: dir, nodeEnv: 'development', log: (m) => logs.push(m) });
    const b = loadAuditKeys({ env: {}, dataDir: dir, nodeEnv: 'development', log: (m) => logs.push(m) });
    expect(logs).toHaveLength(1);
    expect(a.keys.get(a.current)?.equals(b.keys.get(b.current) as Buffer)).toBe(true);
    expect(fs.statSync(path.join(dir, DEV_KEYS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('reads AUDIT_KEYS_FILE with several keys and AUDIT_KEY/AUDIT_HMAC_KEY from the environment', () => {
    const file = path.join(tmp(), 'keys.json');
    const k1 = hex();
    fs.writeFileSync(file, JSON.stringify({ current: 'k2', keys: { k1, k2: crypto.randomBytes(32).toString('base64') }, hmacKey: hex() }));
    const ring = loadAuditKeys({ env: { AUDIT_KEYS_FILE: file }, dataDir: tmp(), nodeEnv: 'production' });
    expect(ring.current).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k1', 'k2']);
    const env = loadAuditKeys({ env: { AUDIT_KEY: `new:${hex()},old:${k1}`, AUDIT_HMAC_KEY: hex() }, dataDir: tmp(), nodeEnv: 'production' });
    expect(env.current).toBe('new');
    // A payload sealed under the file's k1 opens with the environment's `old` only if the id matches: ids are bound.
    const sealed = createPayloadCipher({ current: 'k1', keys: ring.keys }).encrypt(Buffer.from('x'));
    expect(() => createPayloadCipher(env).decrypt(sealed)).toThrow(/unknown key 'k1'/);
  });

  it('explains bad key material', () => {
    const file = path.join(tmp(), 'keys.json');
    fs.writeFileSync(file, JSON.stringify({ current: 'k1', keys: { k1: 'too-short' }, hmacKey: hex() }));
    expect(() => loadAuditKeys({ env: { AUDIT_KEYS_FILE: file }, dataDir: tmp() })).toThrow(/32 bytes/);
    expect(() => loadAuditKeys({ env: { AUDIT_KEY: `k:${hex()}` }, dataDir: tmp() })).toThrow(/AUDIT_HMAC_KEY/);
    expect(() => loadAuditKeys({ env: { AUDIT_KEYS_FILE: path.join(tmp(), 'missing.json') }, dataDir: tmp() })).toThrow(/cannot read/);
    expect(() => retentionDaysFrom({ AUDIT_RETENTION_DAYS: '0' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(retentionDaysFrom({})).toBe(365);
    expect(retentionDaysFrom({ AUDIT_RETENTION_DAYS: '30' })).toBe(30);
  });
});

describe('issue expressions to payload lines', () => {
  const bundle = typicalBundle('x');
  const pretty = prettyWithSpans(bundle);

  it('pretty-prints exactly like JSON.stringify with two spaces', () => {
    expect(pretty.lines.join('\n')).toBe(JSON.stringify(bundle, null, 2));
  });

  it('finds the element an expression names, and the nearest ancestor when it does not exist', () => {
    const exact = spanOfExpression('Bundle.entry[3].resource.component[0].valueCodeableConcept', pretty.spans);
    expect(exact?.exact).toBe(true);
    const [from, to] = exact?.span as [number, number];
    expect(pretty.lines[from]).toContain('"valueCodeableConcept": {');
    expect(pretty.lines.slice(from, to + 1).join('\n')).toContain('NM_000492.4:c.1521_1523del');
    const absent = spanOfExpression('Bundle.entry[0].resource.gender.extension[0]', pretty.spans);
    expect(absent).toMatchObject({ path: 'entry[0].resource.gender', exact: false });
    expect(spanOfExpression('Bundle.entry[2].resource.identifier', pretty.spans)?.path).toBe('entry[2].resource.identifier');
    expect(spanOfExpression('Bundle.entry[0].resource.ofType(Patient).gender', pretty.spans)?.path).toBe('entry[0].resource.gender');
    expect(spanOfExpression(undefined, pretty.spans)).toBeUndefined();
    // A repeating element named without an index continues in its first item.
    expect(spanOfExpression('Bundle.entry[3].resource.component.valueCodeableConcept', pretty.spans)?.path).toBe('entry[3].resource.component[0].valueCodeableConcept');
  });

  it('collects CPR and eCPR identifiers of Patients only', () => {
    expect(personIdentifiers(bundle)).toEqual(['0101011234']);
    expect(personIdentifiers({ entry: 'nonsense' })).toEqual([]);
    expect(personIdentifiers(null)).toEqual([]);
  });
});
