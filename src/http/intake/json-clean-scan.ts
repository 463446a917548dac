/**
 * The intake guard's fast path. Nearly every body is well-formed JSON with none of the things the
 * strict parser exists to catch; for those, one byte scan that only looks for such things, followed
 * by V8's own JSON.parse, gives the same value as the strict parser at a fraction of the cost (the
 * strict parser builds every string and object in JavaScript).
 *
 * `looksClean` answers "if this body is valid JSON, would the strict parser find no problem?". It
 * says no to anything it does not need to understand exactly: a key with an escape, a `\uD800`-
 * `\uDFFF` escape (paired or not), an exponent or a very long number, an object with many keys, a
 * container deeper than the limit, a duplicate or forbidden key. Syntax it does not check: a body
 * that is not valid JSON makes JSON.parse throw, and then the strict parser runs and explains why.
 */
import { BACKSLASH, COLON, COMMA, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from './json-bytes';

/** Keys compared pairwise per object: beyond this many the strict parser (with its own lookup) runs. */
const MAX_KEYS_PER_OBJECT = 64;
/** No finite double has this many digits before its point; shorter numbers without exponent are finite. */
const MAX_PLAIN_NUMBER_LENGTH = 300;

// Reused between calls (a worker judges one body at a time, and a scan never calls out): per open
// object, where its keys start in `keySpans`, and the (start, length) of each key so far.
let objectBase = new Int32Array(72);
let keySpans = new Int32Array(1024);

const sameBytes = (buf: Uint8Array, a: number, b: number, len: number): boolean => {
  for (let k = 0; k < len; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
};

const isForbiddenKey = (buf: Uint8Array, s: number, len: number): boolean => {
  if (len === 9) {
    // __proto__ / prototype
    return (
      (buf[s] === 0x5f && buf[s + 1] === 0x5f && buf[s + 2] === 0x70 && buf[s + 3] === 0x72 && buf[s + 4] === 0x6f && buf[s + 5] === 0x74 && buf[s + 6] === 0x6f && buf[s + 7] === 0x5f && buf[s + 8] === 0x5f) ||
      (buf[s] === 0x70 && buf[s + 1] === 0x72 && buf[s + 2] === 0x6f && buf[s + 3] === 0x74 && buf[s + 4] === 0x6f && buf[s + 5] === 0x74 && buf[s + 6] === 0x79 && buf[s + 7] === 0x70 && buf[s + 8] === 0x65)
    );
  }
  // constructor
  return (
    len === 11 &&
    buf[s] === 0x63 && buf[s + 1] === 0x6f && buf[s + 2] === 0x6e && buf[s + 3] === 0x73 && buf[s + 4] === 0x74 && buf[s + 5] === 0x72 &&
    buf[s + 6] === 0x75 && buf[s + 7] === 0x63 && buf[s + 8] === 0x74 && buf[s + 9] === 0x6f && buf[s + 10] === 0x72
  );
};

/** See the module comment. `start` is past any byte order mark. */
export function looksClean(buf: Uint8Array, start: number, maxDepth: number): boolean {
  const n = buf.length;
  if (objectBase.length < maxDepth + 2) objectBase = new Int32Array(maxDepth + 2);
  // objectBase[d] >= 0: the container at depth d is an object whose keys start there; -1: an array
  let depth = 0;
  let keyTop = 0;
  let expectKey = false;
  let i = start;
  while (i < n) {
    const c = buf[i];
    // whitespace and the colon after each key: the commonest bytes outside strings
    if (c <= 0x20 || c === COLON) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      const s = i + 1;
      let j = s;
      let escaped = false;
      for (;;) {
        // Most of a body's bytes are plain string bytes: this loop looks for nothing else.
        let d = 0;
        while (j < n && (d = buf[j]) !== QUOTE && d !== BACKSLASH) j++;
        if (j >= n) return false;
        if (d === QUOTE) break;
        escaped = true;
        if (buf[j + 1] === 0x75 /* u */) {
          // \uD800-\uDFFF: surrogate escapes, which the strict parser pairs or rejects itself
          const h1 = buf[j + 2];
          const h2 = buf[j + 3];
          if ((h1 === 0x64 || h1 === 0x44) && ((h2 >= 0x38 && h2 <= 0x39) || (h2 >= 0x61 && h2 <= 0x66) || (h2 >= 0x41 && h2 <= 0x46))) return false;
        }
        j += 2;
      }
      if (expectKey) {
        expectKey = false;
        if (escaped) return false;
        const len = j - s;
        if (isForbiddenKey(buf, s, len)) return false;
        const base = objectBase[depth];
        if (base < 0) return false;
        if (keyTop - base >= MAX_KEYS_PER_OBJECT * 2) return false;
        for (let k = base; k < keyTop; k += 2) {
          if (keySpans[k + 1] === len && sameBytes(buf, keySpans[k], s, len)) return false;
        }
        if (keyTop + 2 > keySpans.length) {
          const grown = new Int32Array(keySpans.length * 2);
          grown.set(keySpans);
          keySpans = grown;
        }
        keySpans[keyTop] = s;
        keySpans[keyTop + 1] = len;
        keyTop += 2;
      }
      i = j + 1;
      continue;
    }
    if (c === LBRACE || c === LBRACKET) {
      depth++;
      if (depth > maxDepth) return false;
      if (c === LBRACE) {
        objectBase[depth] = keyTop;
        expectKey = true;
      } else {
        objectBase[depth] = -1;
        expectKey = false;
      }
      i++;
      continue;
    }
    if (c === RBRACE || c === RBRACKET) {
      if (depth === 0) return false;
      const base = objectBase[depth];
      if (base >= 0) keyTop = base;
      depth--;
      expectKey = false;
      i++;
      continue;
    }
    if (c === COMMA) {
      expectKey = depth > 0 && objectBase[depth] >= 0;
      i++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = buf[j];
        if (d >= 0x30 && d <= 0x39) continue;
        if (d === 0x2e || d === 0x2d || d === 0x2b) continue;
        if (d === 0x65 || d === 0x45) return false;
        break;
      }
      if (j - i > MAX_PLAIN_NUMBER_LENGTH) return false;
      i = j;
      continue;
    }
    // the letters of true/false/null (anything else makes JSON.parse throw)
    i++;
  }
  return true;
}
