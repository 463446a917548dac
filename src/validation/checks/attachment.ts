/**
 * Attachment.size states the number of bytes of the data: when both are present it must equal the
 * length of the base64-decoded `data` (the HL7 validator reports a mismatch as an error).
 */
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
  const { data, size } = attachment;
  if (typeof data !== 'string' || typeof size !== 'number' || !Number.isInteger(size) || size < 0) return;
  const actual = base64DecodedLength(data);
  if (actual !== undefined && actual !== size) {
    report(sink, 'error', 'value', 'ATTACHMENT_SIZE', `Stated attachment size ${size} does not match the actual size of the data, ${actual} bytes (decoded from base64)`, path);
  }
}
