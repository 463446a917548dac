import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSubmissionBody, checkMediaType, readBodyLimited, BodyTooLargeError, parseStrictJson } from '../../src/http/intake';

const parse = (text: string | Buffer, limits = {}) => parseSubmissionBody(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), limits);

const bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:5f2c1a9e-0d7b-4a4f-9a55-0c6f3b2d1e01' },
  entry: [
    { fullUrl: 'urn:uuid:a', resource: { resourceType: 'Patient', name: [{ family: 'Æblegård', given: ['Søren'] }] } },
    { fullUrl: 'urn:uuid:b', resource: { resourceType: 'Observation', valueQuantity: { value: 0.25, unit: '%' }, note: [{ text: 'tab\there "quoted" \\ \u00e9 \ud83e\uddec' }] } },
  ],
};

describe('strict JSON parser agrees with JSON.parse on valid documents', () => {
  it('parses a typical Bundle to the same value', () => {
    const r = parse(JSON.stringify(bundle));
    expect(r.issues).toEqual([]);
    expect(r.status).toBeUndefined();
    expect(r.value).toEqual(bundle);
  });

  it('parses randomly generated documents exactly like JSON.parse', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const chars = ['a', 'Z', ' ', '"', '\\', '\n', '\u0001', 'é', '€', '\ud83d\ude00', '/', '\u2028'];
    const gen = (depth: number): unknown => {
      const k = Math.floor(rnd() * (depth > 5 ? 5 : 7));
      switch (k) {
        case 0: return Math.floor(rnd() * 1e6) - 5e5;
        case 1: return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
        case 2: return Array.from({ length: Math.floor(rnd() * 6) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
        case 3: return rnd() < 0.5;
        case 4: return null;
        case 5: return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = 0; i < Math.floor(rnd() * 4); i++) o[`k${i}${chars[Math.floor(rnd() * chars.length)]}`] = gen(depth + 1);
          return o;
        }
      }
    };
    for (let i = 0; i < 300; i++) {
      const v = { resourceType: 'Basic', v: gen(1) };
      const text = JSON.stringify(v, null, i % 3 === 0 ? 2 : undefined);
      const r = parse(text);
      expect(r.issues).toEqual([]);
      expect(r.value).toEqual(JSON.parse(text));
    }
  });

  it('tolerates a UTF-8 byte order mark', () => {
    const r = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(bundle))]));
    expect(r.issues).toEqual([]);
    expect(r.value).toEqual(bundle);
  });
});

describe('non-JSON bodies get 400 with SUB-01 and a position', () => {
  it('every truncation of a valid Bundle is a 400, never a crash', () => {
    const text = JSON.stringify(bundle);
    for (let cut = 0; cut < text.length; cut++) {
      const r = parse(text.slice(0, cut));
      expect(r.status).toBe(400);
      expect(r.value).toBeUndefined();
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0].rule?.id).toBe('SUB-01');
      expect(r.issues[0].severity).toBe('error');
    }
  });

  it('names where truncated JSON broke off', () => {
    const r = parse('{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","name":[{"family":"X"');
    expect(r.status).toBe(400);
    expect(r.issues[0].diagnostics).toMatch(/truncated|ends inside/);
    expect(r.issues[0].expression).toBe('Bundle.entry[0].resource.name[0].family');
  });

  it.each([
    ['trailing comma', '{"resourceType":"Bundle","a":[1,2,],"b":1}', /unexpected ']' at byte 34/],
    ['single quotes', "{'resourceType':'Bundle'}", /quoted member name/],
    ['garbage after the document', '{"resourceType":"Bundle"} x', /after the end/],
    ['raw control character', '{"resourceType":"Bundle","a":"x\u0001y"}', /control character/],
    ['bad escape', '{"resourceType":"Bundle","a":"\\x"}', /escape/],
    ['leading zero', '{"resourceType":"Bundle","a":01}', /expected ','/],
    ['NaN', '{"resourceType":"Bundle","a":NaN}', /where a value was expected/],
    ['empty body', '', /empty/],
    ['whitespace only', '  \n ', /empty/],
    ['XML', '<Bundle xmlns="http://hl7.org/fhir"/>', /unexpected '<'/],
  ])('%s', (_name, text, message) => {
    const r = parse(text);
    expect(r.status).toBe(400);
    expect(r.issues[0].diagnostics).toMatch(message);
  });

  it('rejects invalid UTF-8 with the offset of the first bad byte', () => {
    const body = Buffer.concat([Buffer.from('{"resourceType":"Bundle","a":"ab'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const r = parse(body);
    expect(r.status).toBe(400);
    expect(r.issues[0].diagnostics).toContain('not valid UTF-8 (first bad byte at offset 32)');
  });

  it('rejects UTF-8-encoded surrogates and overlong encodings', () => {
    for (const bad of [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf5, 0x80, 0x80, 0x80]]) {
      const r = parse(Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bad), Buffer.from('"}')]));
      expect(r.status).toBe(400);
      expect(r.issues[0].diagnostics).toContain('offset 6');
    }
  });

  it('rejects escaped lone surrogates but keeps escaped pairs', () => {
    expect(parse('{"resourceType":"Patient","a":"\\ud83e\\uddec"}').value).toEqual({ resourceType: 'Patient', a: '\u{1f9ec}' });
    for (const s of ['\\ud83e', '\\ud83ex', '\\udc00', '\\ud83e\\u0041']) {
      const r = parse(`{"resourceType":"Patient","name":[{"text":"${s}"}]}`);
      expect(r.status).toBe(400);
      expect(r.issues[0].diagnostics).toMatch(/surrogate/);
      expect(r.issues[0].expression).toBe('Patient.name[0].text');
    }
  });

  it('answers 400 for JSON that is not a resource', () => {
    for (const text of ['[]', '"Bundle"', '42', 'null']) {
      const r = parse(text);
      expect(r.status).toBe(400);
      expect(r.issues[0].diagnostics).toMatch(/not a FHIR resource/);
    }
  });
});

describe('SUB-13: duplicate and forbidden keys', () => {
  it('finds a duplicate key deep inside with its exact path', () => {
    const text =
      '{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:a"},{"fullUrl":"urn:uuid:b"},' +
      '{"fullUrl":"urn:uuid:c","resource":{"resourceType":"Observation","component":[{},{"valueString":"x","valueString":"y"}]}}]}';
    const r = parse(text);
    expect(r.status).toBe(422);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({
      severity: 'error',
      rule: { id: 'SUB-13' },
      expression: 'Bundle.entry[2].resource.component[1].valueString',
    });
    expect(r.issues[0].rule?.textDa).toBeTruthy();
  });

  it('reports every duplicate and forbidden key, not only the first', () => {
    const r = parse('{"resourceType":"Bundle","id":"1","id":"2","meta":{"__proto__":{"polluted":true},"constructor":1,"prototype":2},"x":{"a":1,"a":2}}');
    expect(r.status).toBe(422);
    expect(r.issues.map((i) => i.expression)).toEqual(['Bundle.id', 'Bundle.meta.__proto__', 'Bundle.meta.constructor', 'Bundle.meta.prototype', 'Bundle.x.a']);
    expect(r.issues.every((i) => i.rule?.id === 'SUB-13')).toBe(true);
  });

  it('never lets __proto__ reach a prototype', () => {
    const r = parse('{"resourceType":"Bundle","__proto__":{"isAdmin":true},"entry":[{"__proto__":{"polluted":1}}]}');
    const v = r.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect((v as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(({} as { polluted?: unknown; isAdmin?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['resourceType', 'entry']);
    expect(Object.keys((v.entry as object[])[0])).toEqual([]);
  });

  it('keeps the first of duplicate keys so later checks see one well-defined value', () => {
    expect(parse('{"resourceType":"Basic","a":1,"a":2}').value).toEqual({ resourceType: 'Basic', a: 1 });
  });

  it('names keys that are not plain identifiers with backticks', () => {
    const r = parse('{"resourceType":"Basic","weird key":{"x":1,"x":1}}');
    expect(r.issues[0].expression).toBe('Basic.`weird key`.x');
  });

  it('caps the number of issues listed', () => {
    const members = Array.from({ length: 50 }, () => '"a":1').join(',');
    const r = parse(`{"resourceType":"Basic",${members}}`, { maxIssues: 10 });
    expect(r.status).toBe(422);
    expect(r.issues).toHaveLength(11);
    expect(r.issues[10].diagnostics).toMatch(/not listed/);
  });
});

describe('SUB-10: limits', () => {
  const nested = (depth: number) => {
    // depth counts the outermost object as 1.
    let s = '{"resourceType":"Basic","x":';
    for (let i = 2; i <= depth; i++) s += '[';
    s += '1';
    for (let i = 2; i <= depth; i++) s += ']';
    return s + '}';
  };

  it('accepts nesting depth 64 and rejects 65 with 422 and the path', () => {
    expect(parse(nested(64)).issues).toEqual([]);
    const r = parse(nested(65));
    expect(r.status).toBe(422);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].rule?.id).toBe('SUB-10');
    expect(r.issues[0].expression).toBe('Basic.x' + '[0]'.repeat(63));
  });

  it('survives a million nested arrays without a stack overflow', () => {
    const r = parse('{"a":' + '['.repeat(1_000_000) + ']'.repeat(1_000_000) + '}');
    expect(r.status).toBe(422);
    expect(r.issues[0].rule?.id).toBe('SUB-10');
  });

  it('rejects more than the allowed entries with 422', () => {
    const entry = Array.from({ length: 20_001 }, () => ({}));
    const r = parse(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    expect(r.status).toBe(422);
    expect(r.issues[0]).toMatchObject({ rule: { id: 'SUB-10' }, expression: 'Bundle.entry' });
    expect(parse(JSON.stringify({ resourceType: 'Bundle', entry: entry.slice(1) })).issues).toEqual([]);
  });

  it('rejects a body over the byte limit with 413', () => {
    const r = parse(JSON.stringify(bundle), { maxBytes: 100 });
    expect(r.status).toBe(413);
    expect(r.issues[0].rule?.id).toBe('SUB-10');
  });

  it('reports numbers that overflow (1e400) as 422 at their path and accepts small ones', () => {
    const r = parse('{"resourceType":"Observation","valueQuantity":{"value":1e400}}');
    expect(r.status).toBe(422);
    expect(r.issues[0].expression).toBe('Observation.valueQuantity.value');
    expect(parse('{"resourceType":"Observation","valueQuantity":{"value":-1.5e-3}}').value).toEqual({
      resourceType: 'Observation',
      valueQuantity: { value: -0.0015 },
    });
  });

  it('a 50 MiB body parses without blowing up memory', () => {
    const big = 'x'.repeat(2680);
    const entry = Array.from({ length: 19_000 }, (_, i) => ({ fullUrl: `urn:uuid:${i}`, resource: { resourceType: 'Basic', text: big + i } }));
    const buf = Buffer.from(JSON.stringify({ resourceType: 'Bundle', entry }));
    expect(buf.length).toBeGreaterThan(49 * 1024 * 1024);
    expect(buf.length).toBeLessThan(50 * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const r = parseSubmissionBody(buf);
    const grown = process.memoryUsage().rss - before;
    expect(r.issues).toEqual([]);
    expect((r.value as { entry: unknown[] }).entry).toHaveLength(19_000);
    // The parsed strings themselves take about the body's size; never ten times it.
    expect(grown).toBeLessThan(buf.length * 4);
  });
});

describe('parseStrictJson', () => {
  it('reports the byte offset of problems', () => {
    const r = parseStrictJson(Buffer.from('{"a":1,"a":2}'), { maxDepth: 64, maxProblems: 10 });
    expect(r.problems[0]).toMatchObject({ kind: 'duplicate-key', offset: 7, path: ['a'] });
  });
});

describe('media type (SUB-01)', () => {
  it.each([
    ['application/fhir+json', true],
    ['application/fhir+json; charset=utf-8', true],
    ['Application/FHIR+JSON;charset="UTF-8"', true],
    ['application/fhir+json; fhirVersion=4.0', true],
    ['application/json', false],
    ['application/fhir+xml', false],
    ['text/plain', false],
    ['application/fhir+json; charset=iso-8859-1', false],
    ['application/fhir+json; fhirVersion=5.0', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (ct, ok) => {
    const v = checkMediaType(ct);
    expect(v.ok).toBe(ok);
    if (!ok) expect(v.issue).toMatchObject({ code: 'not-supported', rule: { id: 'SUB-01' } });
  });
});

describe('readBodyLimited', () => {
  async function withServer(limit: number, fn: (port: number, results: Array<Buffer | Error>) => Promise<void>) {
    const results: Array<Buffer | Error> = [];
    const server = http.createServer((req, res) => {
      readBodyLimited(req, limit).then(
        (b) => { results.push(b); res.end('ok'); },
        (e: Error) => { results.push(e); res.statusCode = 413; res.setHeader('Connection', 'close'); res.end('too large'); },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await fn((server.address() as AddressInfo).port, results);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  it('returns the exact bytes of a chunked body under the limit', async () => {
    await withServer(1000, async (port, results) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: new ReadableStream({ start(c) { c.enqueue(Buffer.from('abc')); c.enqueue(Buffer.from('déf')); c.close(); } }),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(200);
      expect((results[0] as Buffer).toString()).toBe('abcdéf');
    });
  });

  it('refuses by Content-Length before reading, and mid-stream when a chunked body passes the limit', async () => {
    await withServer(1000, async (port, results) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(1001) });
      expect(res.status).toBe(413);
      expect(results[0]).toBeInstanceOf(BodyTooLargeError);
      let sent = 0;
      const res2 = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: new ReadableStream({
          pull(c) {
            // An endless body: the server must answer without waiting for its end.
            sent += 512;
            c.enqueue(Buffer.alloc(512, 0x20));
            return new Promise((r) => setTimeout(r, 2));
          },
        }),
        duplex: 'half',
      } as RequestInit).catch((e: Error) => e);
      if (!(res2 instanceof Error)) expect(res2.status).toBe(413);
      expect(results[1]).toBeInstanceOf(BodyTooLargeError);
      expect(sent).toBeLessThan(1_000_000);
    });
  });
});

describe('rule texts', () => {
  it('come from the rule catalogue', () => {
    const catalogue = require('../../profiles/data/validation-rules.json') as Array<{ id: string; da: string }>;
    const r = parse('{"a":1,"a":2}');
    expect(r.issues[0].rule).toEqual({ id: 'SUB-13', textDa: catalogue.find((x) => x.id === 'SUB-13')!.da });
  });
});
