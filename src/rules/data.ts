/**
 * Reference data the rules load with the profiles (profiles/data): thresholds, the GRCh38 table,
 * code lists. Kept out of code so NGC can change them with a new version of the package.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RuleDefinition } from './catalogue';

/** src/rules and dist/rules are both two levels below the package root. */
export const DEFAULT_DATA_DIR = path.join(__dirname, '..', '..', 'profiles', 'data');

export interface SystemCode {
  system: string;
  code: string;
}

export interface Chromosome {
  chromosome: string;
  accession: string;
  length: number;
}

export interface QuantityThreshold {
  rule: string;
  component: SystemCode;
  kind: 'quantity';
  comparator: '>=' | '<=';
  threshold: number;
  unit: string;
  required: boolean;
}

export interface CodedCheck {
  rule: string;
  component: SystemCode;
  kind: 'coded';
  accepted: SystemCode[];
  rejected: SystemCode[];
  required: boolean;
}

export type QcCheck = QuantityThreshold | CodedCheck;

export interface QcThresholds {
  analysisTypeSystem: string;
  somaticSourceClass: SystemCode;
  analysisTypes: Record<string, { germline: QcCheck[]; tumour: QcCheck[] }>;
}

export interface ChangeTypes {
  system: string;
  kinds: Record<string, string[]>;
}

export interface CodeForms {
  systems: { name: string; system: string; pattern: string; example: string }[];
  aliases: { from: string; to: string }[];
}

export interface NgcProfiles {
  canonicalBase: string;
  version: string;
  bundleCounts: Record<string, { min: number; max: number | null }>;
  reportResults: string[];
  profiles: Record<string, { type: string; references: Record<string, string[]>; targetRules: Record<string, string> }>;
}

export interface ReportCodes {
  overallInterpretation: { system: string; positive: string; negative: string; inconclusive: string };
  clinicalSignificance: { component: SystemCode; pathogenic: string[]; all: string[] };
  genomicSourceClass: { component: SystemCode; germline: string; somatic: string };
  analysisTypeComponent: SystemCode;
  analysisTypes: { system: string; codes: string[] };
  hgvsSystem: string;
  variantComponents: {
    system: string;
    gHgvs: string;
    cHgvs: string;
    pHgvs: string;
    transcript: string;
    startEnd: string;
    refAllele: string;
    altAllele: string;
    changeType: string;
  };
  alleleBases: string;
}

export interface RuleData {
  rules: RuleDefinition[];
  grch38: { assembly: string; chromosomes: Chromosome[] };
  qc: QcThresholds;
  changeTypes: ChangeTypes;
  codeForms: CodeForms;
  profiles: NgcProfiles;
  codes: ReportCodes;
}

function readJson<T>(dir: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

export function loadRuleData(dir = DEFAULT_DATA_DIR): RuleData {
  return {
    rules: readJson(dir, 'validation-rules.json'),
    grch38: readJson(dir, 'grch38.json'),
    qc: readJson(dir, 'qc-thresholds.json'),
    changeTypes: readJson(dir, 'hgvs-change-types.json'),
    codeForms: readJson(dir, 'code-forms.json'),
    profiles: readJson(dir, 'ngc-profiles.json'),
    codes: readJson(dir, 'report-codes.json'),
  };
}
