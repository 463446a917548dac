/**
 * A minimal reader of (gzipped) tar archives, enough for FHIR packages (`npm pack` layout): regular
 * files with ustar prefixes, PAX `path` records and GNU long names. Synchronous, because the
 * definitions load synchronously at start-up.
 */
import { gunzipSync } from 'node:zlib';

export interface TarEntry {
  path: string;
  data: Buffer;
}

const BLOCK = 512;

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function octal(buf: Buffer, start: number, length: number): number {
  const text = cString(buf, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function paxPath(data: Buffer): string | undefined {
  // Records are "<len> <key>=<value>\n"; only the path matters here.
  let offset = 0;
  let found: string | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const len = parseInt(data.toString('utf8', offset, space), 10);
    if (!len) break;
    const record = data.toString('utf8', space + 1, offset + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    offset += len;
  }
  return found;
}

/** Regular files of a tar archive (gunzipped first when it starts with the gzip magic). */
export function readTar(archive: Buffer): TarEntry[] {
  const buf = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const entries: TarEntry[] = [];
  let offset = 0;
  let nextPath: string | undefined;
  while (offset + BLOCK <= buf.length) {
    const header = buf.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    const data = buf.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      nextPath = paxPath(data) ?? nextPath;
      continue;
    }
    if (type === 'L') {
      nextPath = cString(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    let path = cString(header, 0, 100);
    if (header.toString('latin1', 257, 262) === 'ustar') {
      const prefix = cString(header, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    if (nextPath) path = nextPath;
    nextPath = undefined;
    if (type === '0' || type === '\0' || type === '7') entries.push({ path, data: Buffer.from(data) });
  }
  return entries;
}
