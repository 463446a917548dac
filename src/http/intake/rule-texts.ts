/**
 * Rule references (id + Danish text) for the submission rules that the HTTP layer itself enforces
 * (SUB-01, SUB-10 ... SUB-13). The texts of record live in `profiles/data/validation-rules.json`
 * (owned by the rules module); this lookup reads that file when it is there and otherwise uses the
 * Danish wording below, so the intake guard never answers without a rule text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RuleRef } from '../../validation/issue';

const FALLBACK_DA: Record<string, string> = {
  'SUB-01':
    'Indholdet skal være ét FHIR R4 Bundle med type = transaction, sendt som application/fhir+json. Andre medietyper afvises med 415; indhold, der ikke er JSON, afvises med 400.',
  'SUB-10':
    'Grænser: højst 50 MiB indhold, 20.000 entries og JSON-indlejringsdybde 64. Over en grænse: 413 (størrelse) eller 422 (entries, dybde).',
  'SUB-11':
    'Samme Bundle.identifier sendt igen med byte-identisk indhold er en dublet og besvares med den første kvittering. Med andet indhold er det en konflikt (409), medmindre den første indsendelse blev afvist.',
  'SUB-12':
    'Rapportens udførende organisation (dens SOR-kode) skal være en af de SOR-koder, som den indsendende klient er registreret til. Ellers 403.',
  'SUB-13':
    'JSON-nøglerne __proto__, constructor og prototype, gentagne nøgler i samme objekt samt tomme strenge, tomme arrays og null-værdier gør indsendelsen ugyldig.',
};

let fromFile: Map<string, string> | undefined;

function loadFile(): Map<string, string> {
  const map = new Map<string, string>();
  // src/http/intake and dist/http/intake are both three levels below the package root.
  const file = path.join(__dirname, '..', '..', '..', 'profiles', 'data', 'validation-rules.json');
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const rows: unknown[] = Array.isArray(data)
      ? data
      : data && typeof data === 'object' && Array.isArray((data as { rules?: unknown }).rules)
        ? (data as { rules: unknown[] }).rules
        : data && typeof data === 'object'
          ? Object.entries(data as Record<string, unknown>).map(([id, v]) => (typeof v === 'string' ? { id, textDa: v } : { id, ...(v as object) }))
          : [];
    for (const row of rows) {
      if (!row || typeof row !== 'object') continue;
      const r = row as Record<string, unknown>;
      const text = r.textDa ?? r.da ?? r.text_da;
      if (typeof r.id === 'string' && typeof text === 'string' && text) map.set(r.id, text);
    }
  } catch {
    // Absent or unreadable: the fallback texts apply.
  }
  return map;
}

export function ruleRef(id: string): RuleRef {
  fromFile ??= loadFile();
  const textDa = fromFile.get(id) ?? FALLBACK_DA[id];
  if (!textDa) throw new Error(`no text for rule ${id}`);
  return { id, textDa };
}
