/**
 * Attachment.size and Attachment.hash describe the data: when given with `data`, the size must equal
 * the length of the base64-decoded data and the hash its SHA-1 (base64). The HL7 validator reports
 * either mismatch as an error.
 */
import { createHash } from 'node:crypto';
import type { ValidationIssue } from '../issue';
import { report, type Json } from './context';

/**
 * Bytes encoded by a base64 string, computed from its length (whitespace and padding aside)
 * rather than by decoding: attachments may carry megabytes of data. Undefined when the text is
 * not a whole number of base64 quanta (the base64Binary format check reports that).
 */
export function base64DecodedLength(data: string): number | undefined {
  let chars = data.length;
  if (/\s/.test(data)) {
    chars = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) chars++;
    }
  }
  if (chars % 4 !== 0) return undefined;
  let padding = 0;
  for (let i = data.length - 1; i >= 0 && padding < 3; i--) {
    const c = data.charCodeAt(i);
    if (c === 61 /* = */) padding++;
    else if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) break;
  }
  return (chars / 4) * 3 - padding;
}

export function checkAttachment(attachment: Json, path: string, sink: ValidationIssue[]): void {
  const { data, size, hash } = attachment;
  if (typeof data !== 'string') return;
  const actual = base64DecodedLength(data);
  if (actual === undefined) return;
  if (typeof size === 'number' && Number.isInteger(size) && size >= 0 && actual !== size) {
    report(sink, 'error', 'value', 'ATTACHMENT_SIZE', `Stated attachment size ${size} does not match the actual size of the data, ${actual} bytes (decoded from base64)`, path);
  }
  // only decoded when a hash is stated: the data may be megabytes
  if (typeof hash === 'string' && hash !== '') {
    const digest = createHash('sha1').update(Buffer.from(data, 'base64')).digest('base64');
    if (digest !== hash.replace(/\s+/g, '')) {
      report(sink, 'error', 'value', 'ATTACHMENT_HASH', `The stated hash '${hash}' does not match the SHA-1 hash of the data ('${digest}')`, path);
    }
  }
}
