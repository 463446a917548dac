/**
 * A strict JSON parser for submission bodies, working directly on the UTF-8 bytes.
 *
 * Why not JSON.parse: it silently keeps the last of duplicate keys, happily builds `__proto__`
 * keys that later code may merge into prototypes, and recurses without a depth bound. Parsing the
 * bytes (not a decoded string) also avoids a second full-size copy of a 50 MiB body.
 *
 * The parser is iterative (explicit stack), so hostile nesting cannot overflow the call stack, and it
 * stops as soon as a container goes deeper than the limit. Objects are plain objects whose keys were
 * checked before assignment: the three forbidden keys are never assigned, so no prototype can be
 * reached through them.
 */
import { isUtf8 } from 'node:buffer';
import { looksClean } from './json-clean-scan';
import { BACKSLASH, COLON, COMMA, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from './json-bytes';

export type JsonProblemKind =
  | 'syntax'
  | 'encoding'
  | 'duplicate-key'
  | 'forbidden-key'
  | 'too-deep'
  | 'number-range'
  | 'lone-surrogate';

export interface JsonProblem {
  kind: JsonProblemKind;
  /** Path segments from the root: keys and array indexes. */
  path: (string | number)[];
  /** Byte offset in the body where the problem was seen. */
  offset: number;
  message: string;
}

export interface StrictParseOptions {
  /** Outermost object or array is depth 1; each nested object or array adds one. */
  maxDepth: number;
  /** Stop collecting (non-fatal) problems after this many. */
  maxProblems: number;
}

export interface StrictParseResult {
  /** Present when the text was well-formed up to the end (even with key problems). */
  value?: unknown;
  problems: JsonProblem[];
  /** True when parsing had to stop (syntax, encoding, depth): `value` is then absent. */
  aborted: boolean;
  /** Set when problems were dropped after `maxProblems`. */
  truncated: boolean;
}

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  isObject: boolean;
  container: Record<string, unknown> | unknown[];
  /** Current member key (objects) or element index (arrays). */
  key: string;
  index: number;
  /** The current member must not be stored (forbidden or duplicate key). */
  skip: boolean;
}

class Abort extends Error {}

/** Byte offset of the first byte that breaks UTF-8, for a precise message (only on the error path). */
export function firstInvalidUtf8Offset(buf: Uint8Array): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else {
      return i;
    }
    if (i + need >= n) return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Bodies up to this size take the fast path when clean (json-clean-scan.ts); beyond it the decoded
 * copy the fast path needs would add noticeably to a large body's memory.
 */
const FAST_PATH_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Parses a body as the strict parser does (same value, same problems): a clean body through the
 * fast path, anything else through the strict parser, which says what is wrong.
 */
export function parseStrictJson(buf: Buffer, options: StrictParseOptions): StrictParseResult {
  if (buf.length <= FAST_PATH_MAX_BYTES && isUtf8(buf)) {
    const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    if (looksClean(buf, start, options.maxDepth)) {
      try {
        return { value: JSON.parse(buf.toString('utf8', start)), problems: [], aborted: false, truncated: false };
      } catch {
        // not JSON after all: the strict parser below says where and why
      }
    }
  }
  return parseStrictJsonBytes(buf, options);
}

/** The strict parser itself, byte by byte (exported for the tests that compare it with the fast path). */
export function parseStrictJsonBytes(buf: Buffer, options: StrictParseOptions): StrictParseResult {
  const problems: JsonProblem[] = [];
  let truncated = false;
  const n = buf.length;
  let pos = 0;
  const stack: Frame[] = [];

  const currentPath = (): (string | number)[] => stack.map((f) => (f.isObject ? f.key : f.index));

  const note = (kind: JsonProblemKind, path: (string | number)[], offset: number, message: string): void => {
    if (problems.length >= options.maxProblems) {
      truncated = true;
      return;
    }
    problems.push({ kind, path, offset, message });
  };

  const fail = (kind: JsonProblemKind, message: string, path = currentPath()): never => {
    problems.push({ kind, path, offset: pos, message });
    throw new Abort(message);
  };

  const describeAt = (at: number): string => {
    if (at >= n) return 'the end of the body';
    const b = buf[at];
    if (b >= 0x20 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
    return `byte 0x${b.toString(16).padStart(2, '0')}`;
  };

  const skipWs = (): void => {
    while (pos < n) {
      const c = buf[pos];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const hex4 = (at: number): number => {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = buf[at + k];
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else {
        pos = at + k;
        return fail('syntax', `invalid \\u escape in a string at byte ${at + k}`);
      }
      v = (v << 4) | d;
    }
    return v;
  };

  /** pos is on the opening quote; returns the decoded string and leaves pos after the closing quote. */
  const readString = (): string => {
    const start = pos + 1;
    let i = start;
    // Fast path: no escapes. Bytes >= 0x80 are parts of UTF-8 sequences (validated up front).
    while (i < n) {
      const c = buf[i];
      if (c === QUOTE) {
        pos = i + 1;
        return buf.toString('utf8', start, i);
      }
      if (c === BACKSLASH) break;
      if (c < 0x20) {
        pos = i;
        return fail('syntax', `unescaped control character ${describeAt(i)} in a string at byte ${i}`);
      }
      i++;
    }
    if (i >= n) {
      pos = n;
      return fail('syntax', 'unterminated string: the body ends inside a string');
    }
    let out = buf.toString('utf8', start, i);
    let segStart = i;
    while (i < n) {
      const c = buf[i];
      if (c === QUOTE) {
        out += buf.toString('utf8', segStart, i);
        pos = i + 1;
        return out;
      }
      if (c < 0x20) {
        pos = i;
        return fail('syntax', `unescaped control character ${describeAt(i)} in a string at byte ${i}`);
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += buf.toString('utf8', segStart, i);
      const e = buf[i + 1];
      switch (e) {
        case QUOTE: out += '"'; i += 2; break;
        case BACKSLASH: out += '\\'; i += 2; break;
        case 0x2f: out += '/'; i += 2; break;
        case 0x62: out += '\b'; i += 2; break;
        case 0x66: out += '\f'; i += 2; break;
        case 0x6e: out += '\n'; i += 2; break;
        case 0x72: out += '\r'; i += 2; break;
        case 0x74: out += '\t'; i += 2; break;
        case 0x75: {
          const u = hex4(i + 2);
          i += 6;
          if (u >= 0xd800 && u <= 0xdbff) {
            // A high surrogate must be followed by an escaped low surrogate to form one character.
            if (buf[i] === BACKSLASH && buf[i + 1] === 0x75) {
              const lo = hex4(i + 2);
              if (lo >= 0xdc00 && lo <= 0xdfff) {
                out += String.fromCharCode(u, lo);
                i += 6;
                break;
              }
            }
            pos = i - 6;
            return fail('lone-surrogate', `unpaired UTF-16 surrogate escape \\u${u.toString(16)} at byte ${i - 6}: not a Unicode character`);
          }
          if (u >= 0xdc00 && u <= 0xdfff) {
            pos = i - 6;
            return fail('lone-surrogate', `unpaired UTF-16 surrogate escape \\u${u.toString(16)} at byte ${i - 6}: not a Unicode character`);
          }
          out += String.fromCharCode(u);
          break;
        }
        default:
          pos = i;
          return fail('syntax', `invalid escape sequence at byte ${i}`);
      }
      segStart = i;
    }
    pos = n;
    return fail('syntax', 'unterminated string: the body ends inside a string');
  };

  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

  const readNumber = (): number => {
    const start = pos;
    let i = pos;
    if (buf[i] === 0x2d) i++;
    if (buf[i] === 0x30) {
      i++;
    } else if (isDigit(buf[i])) {
      while (isDigit(buf[i])) i++;
    } else {
      pos = i;
      return fail('syntax', `invalid number at byte ${start}`);
    }
    if (buf[i] === 0x2e) {
      i++;
      if (!isDigit(buf[i])) {
        pos = i;
        return fail('syntax', `invalid number at byte ${start}: digits expected after '.'`);
      }
      while (isDigit(buf[i])) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      if (!isDigit(buf[i])) {
        pos = i;
        return fail('syntax', `invalid number at byte ${start}: digits expected in the exponent`);
      }
      while (isDigit(buf[i])) i++;
    }
    pos = i;
    const v = Number(buf.toString('latin1', start, i));
    if (!Number.isFinite(v)) {
      note('number-range', currentPath(), start, `the number ${buf.toString('latin1', start, Math.min(i, start + 40))} is too large to be represented`);
    }
    return v;
  };

  const readLiteral = (word: string, value: unknown): unknown => {
    for (let k = 0; k < word.length; k++) {
      if (buf[pos + k] !== word.charCodeAt(k)) {
        pos += k;
        return fail('syntax', `unexpected ${describeAt(pos)} at byte ${pos}`);
      }
    }
    pos += word.length;
    return value;
  };

  /** After '{' or ',' in an object: reads `"key" :` and decides whether the member is kept. */
  const readKey = (frame: Frame): void => {
    skipWs();
    if (buf[pos] !== QUOTE) fail('syntax', `expected a quoted member name but found ${describeAt(pos)} at byte ${pos}`);
    const keyOffset = pos;
    const key = readString();
    frame.key = key;
    frame.skip = false;
    skipWs();
    if (buf[pos] !== COLON) fail('syntax', `expected ':' after member name but found ${describeAt(pos)} at byte ${pos}`);
    pos++;
    if (FORBIDDEN_KEYS.has(key)) {
      frame.skip = true;
      note('forbidden-key', currentPath(), keyOffset, `the JSON key '${key}' is not allowed`);
    } else if (Object.prototype.hasOwnProperty.call(frame.container, key)) {
      frame.skip = true;
      note('duplicate-key', currentPath(), keyOffset, `the JSON key '${key}' occurs more than once in the same object`);
    }
  };

  let root: unknown;
  try {
    if (!isUtf8(buf)) {
      pos = firstInvalidUtf8Offset(buf);
      if (pos < 0) pos = 0;
      fail('encoding', `the body is not valid UTF-8 (first bad byte at offset ${pos})`, []);
    }
    // A UTF-8 byte order mark is tolerated (some Windows exports write one); the hash still covers it.
    if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    skipWs();
    if (pos >= n) fail('syntax', 'the body is empty');

    parse: for (;;) {
      // Read one value starting at pos.
      skipWs();
      let value: unknown;
      const c = buf[pos];
      if (c === LBRACE || c === LBRACKET) {
        const depth = stack.length + 1;
        if (depth > options.maxDepth) {
          fail('too-deep', `JSON nesting deeper than ${options.maxDepth} levels (an ${c === LBRACE ? 'object' : 'array'} at depth ${depth}); parsing stopped here`);
        }
        pos++;
        skipWs();
        if (c === LBRACE) {
          const obj: Record<string, unknown> = {};
          if (buf[pos] === RBRACE) {
            pos++;
            value = obj;
          } else {
            const frame: Frame = { isObject: true, container: obj, key: '', index: 0, skip: false };
            stack.push(frame);
            readKey(frame);
            continue parse;
          }
        } else {
          const arr: unknown[] = [];
          if (buf[pos] === RBRACKET) {
            pos++;
            value = arr;
          } else {
            stack.push({ isObject: false, container: arr, key: '', index: 0, skip: false });
            continue parse;
          }
        }
      } else if (c === QUOTE) {
        value = readString();
      } else if (c === 0x2d || isDigit(c)) {
        value = readNumber();
      } else if (c === 0x74) {
        value = readLiteral('true', true);
      } else if (c === 0x66) {
        value = readLiteral('false', false);
      } else if (c === 0x6e) {
        value = readLiteral('null', null);
      } else {
        fail('syntax', pos >= n ? 'the body ends where a value was expected' : `unexpected ${describeAt(pos)} at byte ${pos} where a value was expected`);
      }

      // A value is complete: store it in its container and close containers as far as possible.
      for (;;) {
        const top = stack[stack.length - 1];
        if (!top) {
          root = value;
          skipWs();
          if (pos < n) fail('syntax', `unexpected ${describeAt(pos)} at byte ${pos} after the end of the JSON document`, []);
          break parse;
        }
        if (top.isObject) {
          if (!top.skip) (top.container as Record<string, unknown>)[top.key] = value;
        } else {
          (top.container as unknown[]).push(value);
        }
        skipWs();
        const d = buf[pos];
        if (d === COMMA) {
          pos++;
          if (top.isObject) readKey(top);
          else top.index++;
          continue parse;
        }
        if ((top.isObject && d === RBRACE) || (!top.isObject && d === RBRACKET)) {
          pos++;
          stack.pop();
          value = top.container;
          continue;
        }
        fail(
          'syntax',
          pos >= n
            ? `the body ends inside an unclosed ${top.isObject ? 'object' : 'array'} (truncated JSON)`
            : `expected ',' or '${top.isObject ? '}' : ']'}' but found ${describeAt(pos)} at byte ${pos}`,
        );
      }
    }
  } catch (err) {
    if (err instanceof Abort) return { problems, aborted: true, truncated };
    throw err;
  }
  return { value: root, problems, aborted: false, truncated };
}
