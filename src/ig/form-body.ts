/**
 * The two body forms a browser sends without JavaScript: `application/x-www-form-urlencoded`
 * (the textarea alone) and `multipart/form-data` (textarea and file upload). Only what the
 * validate form needs: named fields, the file's bytes; nothing is written to disk.
 */

export interface MediaType {
  type: string;
  params: Map<string, string>;
}

export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (!header) return undefined;
  const [type, ...rest] = header.split(';');
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(part.slice(0, eq).trim().toLowerCase(), value);
  }
  return { type: type.trim().toLowerCase(), params };
}

export interface FormPart {
  name: string;
  filename?: string;
  data: Buffer;
}

function dispositionParam(headers: string, param: string): string | undefined {
  const line = headers.split('\r\n').find((l) => /^content-disposition:/i.test(l));
  if (!line) return undefined;
  const m = new RegExp(`;\\s*${param}="([^"]*)"`, 'i').exec(line) ?? new RegExp(`;\\s*${param}=([^;\\s]*)`, 'i').exec(line);
  return m ? m[1] : undefined;
}

/** Parts of a multipart/form-data body; throws on a body that is not one. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  if (!boundary || boundary.length > 200) throw new Error('multipart/form-data without a usable boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new Error('multipart body without its boundary');
  for (;;) {
    const afterDelimiter = pos + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString('latin1') === '--') return parts;
    const headerStart = afterDelimiter + 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) throw new Error('multipart part without a header end');
    const next = body.indexOf(between, headerEnd + 4);
    if (next === -1) throw new Error('multipart body without its closing boundary');
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const name = dispositionParam(headers, 'name');
    if (name !== undefined) parts.push({ name, filename: dispositionParam(headers, 'filename'), data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
}
