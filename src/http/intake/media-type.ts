/**
 * SUB-01: only `application/fhir+json` in UTF-8 is taken. Checked from the header alone, before any
 * byte of the body is read.
 */
import type { ValidationIssue } from '../../validation/issue';
import { ruleRef } from './rule-texts';

export const FHIR_JSON = 'application/fhir+json';

export interface MediaTypeVerdict {
  ok: boolean;
  issue?: ValidationIssue;
}

function parseParams(rest: string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(name, value);
  }
  return params;
}

export function checkMediaType(contentType: string | undefined): MediaTypeVerdict {
  const reject = (diagnostics: string): MediaTypeVerdict => ({
    ok: false,
    issue: { severity: 'error', code: 'not-supported', diagnostics, rule: ruleRef('SUB-01') },
  });
  if (!contentType || !contentType.trim()) {
    return reject(`the request has no Content-Type; send the Bundle as ${FHIR_JSON}`);
  }
  const [typePart, ...rest] = contentType.split(';');
  const type = typePart.trim().toLowerCase();
  if (type !== FHIR_JSON) {
    return reject(`the media type '${type.slice(0, 100)}' is not accepted; send the Bundle as ${FHIR_JSON}`);
  }
  const params = parseParams(rest);
  const charset = params.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    return reject(`the charset '${charset.slice(0, 50)}' is not accepted; FHIR JSON is UTF-8`);
  }
  const fhirVersion = params.get('fhirversion');
  if (fhirVersion !== undefined && fhirVersion !== '4.0' && fhirVersion !== '4.0.1') {
    return reject(`fhirVersion=${fhirVersion.slice(0, 20)} is not accepted; the gateway speaks FHIR R4 (4.0)`);
  }
  return { ok: true };
}
