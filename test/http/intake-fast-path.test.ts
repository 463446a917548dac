/**
 * The intake guard parses clean bodies with a byte scan plus JSON.parse and everything else with the
 * strict parser. Whatever path a body takes, the value and the problems must be exactly the strict
 * parser's: these tests feed both the same bodies, clean and hostile, and compare.
 */
import { parseStrictJson, parseStrictJsonBytes } from '../../src/http/intake/json-parser';
import { looksClean } from '../../src/http/intake/json-clean-scan';

const OPTIONS = { maxDepth: 64, maxProblems: 1000 };

function agree(body: Buffer | string, options = OPTIONS): void {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const fast = parseStrictJson(buf, options);
  const strict = parseStrictJsonBytes(buf, options);
  expect(fast).toEqual(strict);
  if (typeof fast.value === 'object' && fast.value !== null) expect(Object.getPrototypeOf(fast.value)).toBe(Object.getPrototypeOf(strict.value));
}

let seed = 424242;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const KEYS = ['a', 'b', 'id', 'system', 'code', 'value', 'é', '€k', '__proto__', 'constructor', 'prototype', 'proto', '0', '10', 'a\\u0062', '\\"q'];
const STRINGS = ['', 'x', 'http://loinc.org', 'tab\\t', '\\u00e9', '\\ud83e\\uddec', '\\ud83e', '\\udc00x', '\\uD800', '\\u0041', 'ø', '\u2028', '\\/', '\\\\'];
const NUMBERS = ['0', '-0', '1', '-12.5', '0.000123', '1e3', '1E-2', '1e400', '-1e400', '123456789012345678901234567890', '9'.repeat(320), '9'.repeat(320) + '.5'];

/** Random JSON text with keys, escapes and numbers that the strict parser treats specially, sometimes broken. */
function text(depth: number): string {
  const k = Math.floor(rnd() * (depth > 6 ? 4 : 7));
  switch (k) {
    case 0:
      return pick(NUMBERS);
    case 1:
      return `"${pick(STRINGS)}"`;
    case 2:
      return pick(['true', 'false', 'null']);
    case 3:
      return `"${pick(STRINGS)}${pick(STRINGS)}"`;
    case 4:
      return `[${Array.from({ length: Math.floor(rnd() * 4) }, () => text(depth + 1)).join(',')}]`;
    default: {
      const n = Math.floor(rnd() * 5);
      return `{${Array.from({ length: n }, () => `"${pick(KEYS)}":${text(depth + 1)}`).join(rnd() < 0.5 ? ',' : ' , ')}}`;
    }
  }
}

function damage(s: string): string {
  const at = Math.floor(rnd() * s.length);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return s.slice(0, at);
    case 1:
      return s.slice(0, at) + pick(['"', '{', ']', ',', ':', '\\', '\u0001', 'x']) + s.slice(at);
    case 2:
      return s.slice(0, at) + s.slice(at + 1);
    default:
      return s + pick([' x', ',', '}', '']);
  }
}

describe('the intake fast path agrees with the strict parser', () => {
  it('on thousands of random documents, clean, hostile and broken', () => {
    for (let i = 0; i < 3000; i++) {
      const doc = text(0);
      agree(doc);
      agree(damage(doc));
    }
  });

  it('on the cases the scan must refuse', () => {
    agree('{"a":1,"a":2}');
    agree('{"a":{"b":1},"b":2,"a":3}');
    agree('{"a":{"a":1,"b":{"a":2}},"b":[{"a":1},{"a":1}]}');
    agree('{"__proto__":{"x":1}}');
    agree('{"constructor":1,"prototype":2}');
    agree('{"\\u0061":1,"a":2}');
    agree('{"a":"\\ud83e\\uddec"}');
    agree('{"a":"\\ud83e"}');
    agree('{"a":1e400}');
    agree(`{"a":${'9'.repeat(400)}}`);
    agree('\ufeff{"a":1}');
    agree(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    agree(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    agree('');
    agree('{"a":1} {"b":2}');
    agree('[1,2]]');
    agree('{"a":1}}');
  });

  it('on pretty-printed and whitespace-laden documents, clean, hostile and broken', () => {
    // the scan skips whitespace and colons before anything else; indentation must not hide a key
    const spaces = [' ', '\n', '\t', '\r', '\n  ', '\u000b', '\u0001', '\u00a0'];
    for (let i = 0; i < 1500; i++) {
      const doc = text(0).replace(/[:,{}[\]]/g, (c) => (rnd() < 0.3 ? `${pick(spaces)}${c}${pick(spaces)}` : c));
      agree(doc);
      agree(damage(doc));
    }
    const value = JSON.parse(text(0).replace(/\\u[dD][89a-fA-F]\w\w/g, '')) as unknown;
    agree(JSON.stringify({ a: value, b: [value, { a: value }] }, null, 2));
    agree(JSON.stringify({ a: value, b: [value, { a: value }] }, null, '\t'));
  });

  it('on strings whose escapes end at, or run past, the end of the body', () => {
    for (const tail of ['\\', '\\"', '\\\\', '\\\\"', '\\u', '\\ud8', '\\"}', 'x\\\\"}', '\\\\\\"}']) {
      agree(`{"a":"${tail}`);
      agree(`{"${tail}`);
      agree(`["${tail}`);
    }
    agree('{"a\\"":1,"a\\"":2}');
    agree('{"a":"\\\\","a":1}');
    agree('{"a":"x\\\\"  ,  "a"  :  1}');
  });

  it('on nesting around the depth limit', () => {
    for (const depth of [3, 4, 5]) {
      agree('['.repeat(depth) + ']'.repeat(depth), { maxDepth: 4, maxProblems: 10 });
      agree('{"a":'.repeat(depth) + '1' + '}'.repeat(depth), { maxDepth: 4, maxProblems: 10 });
    }
  });

  it('on objects with more keys than the scan compares, with a duplicate far apart', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`);
    agree(`{${keys.join(',')}}`);
    agree(`{${keys.join(',')},"k3":0}`);
    agree(`{"inner":{${keys.join(',')}},"k3":0}`);
  });

  it('on duplicates problem lists longer than maxProblems', () => {
    const body = `{${Array.from({ length: 30 }, () => '"a":1').join(',')}}`;
    agree(body, { maxDepth: 64, maxProblems: 5 });
  });
});

describe('looksClean', () => {
  const clean = (s: string, depth = 64) => looksClean(Buffer.from(s), 0, depth);

  it('passes a typical resource', () => {
    expect(clean('{"resourceType":"Patient","name":[{"family":"Ærø","given":["A","B"]}],"x":{"a":-1.25,"b":[true,null]}}')).toBe(true);
  });

  it('refuses what the strict parser reports or treats specially', () => {
    expect(clean('{"a":1,"b":{"a":2},"a":3}')).toBe(false);
    expect(clean('{"__proto__":1}')).toBe(false);
    expect(clean('{"constructor":1}')).toBe(false);
    expect(clean('{"prototype":1}')).toBe(false);
    expect(clean('{"\\u0061":1}')).toBe(false);
    expect(clean('{"a":"\\uD83E\\uDDEC"}')).toBe(false);
    expect(clean('{"a":2E5}')).toBe(false);
    expect(clean('[[[[1]]]]', 3)).toBe(false);
  });

  it('tells keys from values, also after nested containers', () => {
    expect(clean('{"a":"a","b":["a","a"],"c":{"a":"a"},"d":"b"}')).toBe(true);
    expect(clean('{"a":[{"x":1}],"x":{"y":[]},"y":1}')).toBe(true);
    expect(clean('{"a":[{"x":1}],"x":{"y":[]},"y":1,"a":2}')).toBe(false);
  });
});
