/**
 * Rule references (id + Danish text) for the submission rules the HTTP layer itself enforces
 * (SUB-01, SUB-10 ... SUB-13), from the rule catalogue `profiles/data/validation-rules.json` that
 * the rules module owns: one wording of each rule across the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RuleRef } from '../../validation/issue';

// src/http/intake and dist/http/intake are both three levels below the package root.
export const RULE_CATALOGUE_FILE = path.join(__dirname, '..', '..', '..', 'profiles', 'data', 'validation-rules.json');

let catalogue: Map<string, string> | undefined;

function load(): Map<string, string> {
  const rows = JSON.parse(fs.readFileSync(RULE_CATALOGUE_FILE, 'utf8')) as Array<{ id?: unknown; da?: unknown }>;
  const map = new Map<string, string>();
  for (const row of rows) if (typeof row.id === 'string' && typeof row.da === 'string') map.set(row.id, row.da);
  return map;
}

export function ruleRef(id: string): RuleRef {
  catalogue ??= load();
  const textDa = catalogue.get(id);
  if (!textDa) throw new Error(`the rule catalogue has no rule ${id}`);
  return { id, textDa };
}
