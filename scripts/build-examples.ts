/**
 * Builds the example Bundles of the implementation guide (implementation-guide/examples): one
 * valid Bundle per analysis type, and for every rule id of the standard an example that breaks
 * exactly that rule, made from a valid one by a mutation. Deterministic (fullUrls are hashes of
 * the example and entry names), so a test can check that the committed files are what this
 * script writes.
 *
 *   node -r @swc-node/register scripts/build-examples.ts [--check]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const EXAMPLES_DIR = path.join(__dirname, '..', 'implementation-guide', 'examples');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SD = 'http://ngc.dk/fhir/genomics/StructureDefinition/';
const CS = 'http://ngc.dk/fhir/genomics/CodeSystem/';
const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const HGVS = 'http://varnomen.hgvs.org';
const HGNC = 'http://www.genenames.org';
const SO = 'http://www.sequenceontology.org';
const CPR = 'urn:oid:1.2.208.176.1.2';
const SOR = 'urn:oid:1.2.208.176.1.1';
const OBS = `${CS}ngc-observation-code`;

const CATEGORIES = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] },
];

// ------------------------------------------------------------------ specifications

interface OrgSpec {
  sor: string;
  name: string;
}

interface VariantSpec {
  key: string;
  gene?: { hgnc: string; symbol: string };
  g: string;
  c?: string;
  p?: string;
  transcript?: string;
  start: number;
  end: number;
  ref?: string;
  alt?: string;
  source: 'germline' | 'somatic';
  allelicState?: 'heterozygous' | 'homozygous' | 'hemizygous';
  vaf?: number;
  depth?: number;
  changeType: [string, string];
  clinvar?: string;
  dbsnp?: string;
}

interface ImplicationSpec {
  key: string;
  variants: string[];
  significance: 'LA6668-3' | 'LA26332-9' | 'LA26333-7' | 'LA26334-5' | 'LA6675-8';
  phenotypes: { system: string; code: string; display: string }[];
  criteria: string[];
}

interface ExampleSpec {
  name: string;
  title: string;
  description: string;
  analysisType: 'WGS' | 'WES' | 'PANEL' | 'ACGH' | 'SNP-ARRAY' | 'RNASEQ' | 'LRS';
  indication: [string, string];
  conclusion: 'positive' | 'negative' | 'inconclusive';
  patient: { cpr: string; gender: 'male' | 'female' };
  lab: OrgSpec;
  requester: OrgSpec;
  specimen: { id: string; type: [string, string]; collected: string };
  authoredOn: string;
  effective: string;
  issued: string;
  timestamp: string;
  platform?: string;
  pipeline: [string, string];
  targetRegions?: string;
  libraryPrep?: string;
  qc: { meanCoverage?: number; pct20x?: number; pctQ30?: number; contamination?: number; sexCheck?: 'concordant' | 'discordant' };
  variants: VariantSpec[];
  implications: ImplicationSpec[];
  dataFiles: { key: string; format: string; url: string; sha256: string; size: number }[];
}

const SIGNIFICANCE: Record<string, string> = {
  'LA6668-3': 'Pathogenic',
  'LA26332-9': 'Likely pathogenic',
  'LA26333-7': 'Uncertain significance',
  'LA26334-5': 'Likely benign',
  'LA6675-8': 'Benign',
};
const CONCLUSION = {
  positive: ['LA6576-8', 'Positive'],
  negative: ['LA6577-6', 'Negative'],
  inconclusive: ['LA9663-1', 'Inconclusive'],
} as const;
const ALLELIC_STATE = { heterozygous: ['LA6706-1', 'Heterozygous'], homozygous: ['LA6705-3', 'Homozygous'], hemizygous: ['LA6707-9', 'Hemizygous'] } as const;

const RIGSHOSPITALET_KGA: OrgSpec = { sor: '6081000016007', name: 'Rigshospitalet, Klinisk Genetisk Klinik' };
const AUH_MOMA: OrgSpec = { sor: '4221000016006', name: 'Aarhus Universitetshospital, Molekylærmedicinsk Afdeling' };
const OUH_KGA: OrgSpec = { sor: '5001000016004', name: 'Odense Universitetshospital, Klinisk Genetisk Afdeling' };
const RH_ONKOLOGI: OrgSpec = { sor: '6091000016005', name: 'Rigshospitalet, Onkologisk Klinik' };
const AUH_BØRN: OrgSpec = { sor: '4231000016004', name: 'Aarhus Universitetshospital, Børn og Unge' };
const OUH_NEURO: OrgSpec = { sor: '5011000016001', name: 'Odense Universitetshospital, Neurologisk Afdeling' };
const HEV_PATOLOGI: OrgSpec = { sor: '7031000016008', name: 'Regionshospitalet Gødstrup, Patologi' };

const BRCA1_68_69DEL: VariantSpec = {
  key: 'variant-brca1',
  gene: { hgnc: 'HGNC:1100', symbol: 'BRCA1' },
  g: 'NC_000017.11:g.43124027_43124028del',
  c: 'NM_007294.4:c.68_69del',
  p: 'NP_009225.1:p.Glu23ValfsTer17',
  transcript: 'NM_007294.4',
  start: 43124027,
  end: 43124028,
  source: 'germline',
  allelicState: 'heterozygous',
  depth: 41,
  changeType: ['SO:0000159', 'deletion'],
  clinvar: '17662',
  dbsnp: 'rs80357914',
};

const TP53_R175H: VariantSpec = {
  key: 'variant-tp53',
  gene: { hgnc: 'HGNC:11998', symbol: 'TP53' },
  g: 'NC_000017.11:g.7675088C>T',
  c: 'NM_000546.6:c.524G>A',
  p: 'NP_000537.3:p.Arg175His',
  transcript: 'NM_000546.6',
  start: 7675088,
  end: 7675088,
  ref: 'C',
  alt: 'T',
  source: 'somatic',
  vaf: 0.38,
  depth: 112,
  changeType: ['SO:0001483', 'SNV'],
  clinvar: '12374',
  dbsnp: 'rs28934578',
};

const KRAS_G12D: VariantSpec = {
  key: 'variant-kras',
  gene: { hgnc: 'HGNC:6407', symbol: 'KRAS' },
  g: 'NC_000012.12:g.25245350C>T',
  c: 'NM_004985.5:c.35G>A',
  p: 'NP_004976.2:p.Gly12Asp',
  transcript: 'NM_004985.5',
  start: 25245350,
  end: 25245350,
  ref: 'C',
  alt: 'T',
  source: 'somatic',
  vaf: 0.21,
  depth: 1184,
  changeType: ['SO:0001483', 'SNV'],
  clinvar: '12582',
  dbsnp: 'rs121913529',
};

const BRCA2_5946DEL: VariantSpec = {
  key: 'variant-brca2',
  gene: { hgnc: 'HGNC:1101', symbol: 'BRCA2' },
  g: 'NC_000013.11:g.32340301del',
  c: 'NM_000059.4:c.5946del',
  p: 'NP_000050.3:p.Ser1982ArgfsTer22',
  transcript: 'NM_000059.4',
  start: 32340301,
  end: 32340301,
  source: 'germline',
  allelicState: 'heterozygous',
  depth: 27,
  changeType: ['SO:0000159', 'deletion'],
  clinvar: '9322',
  dbsnp: 'rs80359550',
};

const DEL_22Q11: VariantSpec = {
  key: 'variant-22q11',
  g: 'NC_000022.11:g.18912231_21465672del',
  start: 18912231,
  end: 21465672,
  source: 'germline',
  allelicState: 'heterozygous',
  changeType: ['SO:0001743', 'copy number loss'],
};

const DUP_PMP22: VariantSpec = {
  key: 'variant-pmp22',
  gene: { hgnc: 'HGNC:9118', symbol: 'PMP22' },
  g: 'NC_000017.11:g.14194598_15567181dup',
  start: 14194598,
  end: 15567181,
  source: 'germline',
  allelicState: 'heterozygous',
  changeType: ['SO:0001742', 'copy number gain'],
};

const HPO_BREAST = { system: 'http://human-phenotype-ontology.org', code: 'HP:0003002', display: 'Breast carcinoma' };

export const VALID_SPECS: ExampleSpec[] = [
  {
    name: 'wgs-germline-positive',
    title: 'WGS, germline, positive (BRCA1 c.68_69del)',
    description: 'Whole genome sequencing for hereditary cancer (R03): a pathogenic germline BRCA1 frameshift, with the CRAM and VCF files in the national storage.',
    analysisType: 'WGS',
    indication: ['R03', 'Hereditary cancer'],
    conclusion: 'positive',
    patient: { cpr: '1203914568', gender: 'female' },
    lab: RIGSHOSPITALET_KGA,
    requester: RH_ONKOLOGI,
    specimen: { id: 'RH-KGA-2025-004711', type: ['258580003', 'Whole blood sample'], collected: '2025-02-03T09:12:00+01:00' },
    authoredOn: '2025-01-28T14:05:00+01:00',
    effective: '2025-02-20T16:00:00+01:00',
    issued: '2025-03-14T09:00:00+01:00',
    timestamp: '2025-03-14T10:15:00+01:00',
    platform: 'Illumina NovaSeq 6000',
    pipeline: ['NGC WGS germline pipeline (DRAGEN)', '4.2.4'],
    libraryPrep: 'Illumina DNA PCR-Free Prep',
    qc: { meanCoverage: 38.4, pct20x: 96.1, pctQ30: 91.3, contamination: 0.2, sexCheck: 'concordant' },
    variants: [BRCA1_68_69DEL],
    implications: [
      {
        key: 'implication-brca1',
        variants: ['variant-brca1'],
        significance: 'LA6668-3',
        phenotypes: [HPO_BREAST, { system: 'https://omim.org', code: '604370', display: 'Breast-ovarian cancer, familial, susceptibility to, 1' }],
        criteria: ['PVS1', 'PM2', 'PP5'],
      },
    ],
    dataFiles: [
      { key: 'file-cram', format: 'cram-3.1', url: 'https://storage.ngc.dk/wgs/2025/RH-KGA-2025-004711/RH-KGA-2025-004711.cram', sha256: sha256Hex('RH-KGA-2025-004711.cram'), size: 38712873214 },
      { key: 'file-vcf', format: 'vcf-4.2', url: 'https://storage.ngc.dk/wgs/2025/RH-KGA-2025-004711/RH-KGA-2025-004711.vcf.gz', sha256: sha256Hex('RH-KGA-2025-004711.vcf.gz'), size: 412337981 },
    ],
  },
  {
    name: 'wgs-tumour-somatic',
    title: 'WGS, tumour, somatic (TP53 p.Arg175His)',
    description: 'Whole genome sequencing of a solid tumour (R05) on FFPE tissue: a somatic TP53 hotspot variant; the tumour QC thresholds apply.',
    analysisType: 'WGS',
    indication: ['R05', 'Solid tumour'],
    conclusion: 'positive',
    patient: { cpr: '0507824127', gender: 'male' },
    lab: AUH_MOMA,
    requester: HEV_PATOLOGI,
    specimen: { id: 'AUH-MOMA-T-25-0193', type: ['441652008', 'Formalin-fixed paraffin-embedded tissue specimen'], collected: '2025-04-02T11:30:00+02:00' },
    authoredOn: '2025-04-01T08:45:00+02:00',
    effective: '2025-04-24T12:00:00+02:00',
    issued: '2025-05-06T13:20:00+02:00',
    timestamp: '2025-05-06T13:25:00+02:00',
    platform: 'Illumina NovaSeq X Plus',
    pipeline: ['nf-core/sarek', '3.5.1'],
    libraryPrep: 'Illumina DNA Prep with Enrichment',
    qc: { meanCoverage: 104.7, pct20x: 97.8, pctQ30: 89.5, contamination: 0.6, sexCheck: 'concordant' },
    variants: [TP53_R175H],
    implications: [
      {
        key: 'implication-tp53',
        variants: ['variant-tp53'],
        significance: 'LA6668-3',
        phenotypes: [{ system: 'http://human-phenotype-ontology.org', code: 'HP:0002664', display: 'Neoplasm' }],
        criteria: ['PS3', 'PM1', 'PM5'],
      },
    ],
    dataFiles: [],
  },
  {
    name: 'wes-negative',
    title: 'WES, negative',
    description: 'Whole exome sequencing for a child with a suspected rare disease (R01): no pathogenic finding.',
    analysisType: 'WES',
    indication: ['R01', 'Rare disease, child'],
    conclusion: 'negative',
    patient: { cpr: '1406124123', gender: 'male' },
    lab: OUH_KGA,
    requester: AUH_BØRN,
    specimen: { id: 'OUH-KGA-2025-1187', type: ['119297000', 'Blood specimen'], collected: '2025-05-12T10:00:00+02:00' },
    authoredOn: '2025-05-09T09:00:00+02:00',
    effective: '2025-06-17T15:00:00+02:00',
    issued: '2025-06-23T08:30:00+02:00',
    timestamp: '2025-06-23T08:31:00+02:00',
    platform: 'Illumina NovaSeq 6000',
    pipeline: ['OUH exome pipeline (GATK 4.6)', '2.3.0'],
    targetRegions: 'Twist Exome 2.0 plus RefSeq',
    qc: { meanCoverage: 142.6, pct20x: 97.4, pctQ30: 92.1, contamination: 0.3, sexCheck: 'concordant' },
    variants: [],
    implications: [],
    dataFiles: [],
  },
  {
    name: 'panel-somatic',
    title: 'Gene panel, somatic (KRAS p.Gly12Asp)',
    description: 'A solid tumour gene panel (R05) on FFPE tissue: a somatic KRAS hotspot variant at high depth.',
    analysisType: 'PANEL',
    indication: ['R05', 'Solid tumour'],
    conclusion: 'positive',
    patient: { cpr: '0202652018', gender: 'female' },
    lab: AUH_MOMA,
    requester: HEV_PATOLOGI,
    specimen: { id: 'AUH-MOMA-P-25-0877', type: ['441652008', 'Formalin-fixed paraffin-embedded tissue specimen'], collected: '2025-08-19T13:10:00+02:00' },
    authoredOn: '2025-08-18T10:00:00+02:00',
    effective: '2025-08-29T11:00:00+02:00',
    issued: '2025-09-01T09:45:00+02:00',
    timestamp: '2025-09-01T09:50:00+02:00',
    platform: 'Illumina NextSeq 550',
    pipeline: ['AUH solid tumour panel pipeline', '5.1'],
    targetRegions: 'Oncomine Focus Assay v1 (52 genes)',
    qc: { meanCoverage: 1540, pct20x: 99.6, pctQ30: 93.8, contamination: 0.8 },
    variants: [KRAS_G12D],
    implications: [
      {
        key: 'implication-kras',
        variants: ['variant-kras'],
        significance: 'LA6668-3',
        phenotypes: [{ system: 'http://www.orpha.net', code: 'ORPHA:1333', display: 'Familial pancreatic carcinoma' }],
        criteria: ['PS3', 'PM1', 'PP5'],
      },
    ],
    dataFiles: [],
  },
  {
    name: 'acgh-cnv',
    title: 'Array-CGH, copy-number loss (22q11.2 deletion)',
    description: 'Array-CGH for a child with a rare disease (R01): a heterozygous 22q11.2 deletion; copy-number variants need no gene component, and arrays have no QC thresholds.',
    analysisType: 'ACGH',
    indication: ['R01', 'Rare disease, child'],
    conclusion: 'positive',
    patient: { cpr: '0911194716', gender: 'female' },
    lab: RIGSHOSPITALET_KGA,
    requester: AUH_BØRN,
    specimen: { id: 'RH-KGA-2025-A-0321', type: ['119297000', 'Blood specimen'], collected: '2025-03-03T08:40:00+01:00' },
    authoredOn: '2025-02-27T13:00:00+01:00',
    effective: '2025-03-17T12:00:00+01:00',
    issued: '2025-03-19T10:00:00+01:00',
    timestamp: '2025-03-19T10:02:00+01:00',
    pipeline: ['Agilent CytoGenomics', '5.3'],
    qc: { sexCheck: 'concordant' },
    variants: [DEL_22Q11],
    implications: [
      {
        key: 'implication-22q11',
        variants: ['variant-22q11'],
        significance: 'LA6668-3',
        phenotypes: [
          { system: 'https://omim.org', code: '188400', display: 'DiGeorge syndrome' },
          { system: 'http://www.orpha.net', code: 'ORPHA:567', display: '22q11.2 deletion syndrome' },
        ],
        criteria: [],
      },
    ],
    dataFiles: [],
  },
  {
    name: 'snp-array-cnv',
    title: 'SNP array, copy-number gain (PMP22 duplication)',
    description: 'SNP array for an adult with a neuromuscular disease (R08): the PMP22 duplication of Charcot-Marie-Tooth type 1A.',
    analysisType: 'SNP-ARRAY',
    indication: ['R08', 'Neurological and neuromuscular disease'],
    conclusion: 'positive',
    patient: { cpr: '3009774441', gender: 'male' },
    lab: OUH_KGA,
    requester: OUH_NEURO,
    specimen: { id: 'OUH-KGA-2025-S-0456', type: ['119342007', 'Saliva specimen'], collected: '2025-06-02T10:20:00+02:00' },
    authoredOn: '2025-05-30T11:00:00+02:00',
    effective: '2025-06-20T14:00:00+02:00',
    issued: '2025-06-24T09:00:00+02:00',
    timestamp: '2025-06-24T09:05:00+02:00',
    pipeline: ['Illumina BlueFuse Multi', '4.5'],
    qc: {},
    variants: [DUP_PMP22],
    implications: [
      {
        key: 'implication-pmp22',
        variants: ['variant-pmp22'],
        significance: 'LA6668-3',
        phenotypes: [{ system: 'https://omim.org', code: '118220', display: 'Charcot-Marie-Tooth disease, type 1A' }],
        criteria: [],
      },
    ],
    dataFiles: [],
  },
  {
    name: 'rnaseq-negative',
    title: 'RNA sequencing, negative',
    description: 'Total RNA sequencing for an adult with a suspected rare disease (R02): no aberrant splicing or expression explained the phenotype.',
    analysisType: 'RNASEQ',
    indication: ['R02', 'Rare disease, adult'],
    conclusion: 'negative',
    patient: { cpr: '1701583934', gender: 'female' },
    lab: RIGSHOSPITALET_KGA,
    requester: OUH_NEURO,
    specimen: { id: 'RH-KGA-2025-R-0112', type: ['119297000', 'Blood specimen'], collected: '2025-07-07T09:00:00+02:00' },
    authoredOn: '2025-07-01T10:00:00+02:00',
    effective: '2025-08-04T12:00:00+02:00',
    issued: '2025-08-11T08:00:00+02:00',
    timestamp: '2025-08-11T08:02:00+02:00',
    platform: 'Illumina NovaSeq X Plus',
    pipeline: ['nf-core/rnaseq', '3.14.0'],
    libraryPrep: 'Illumina Stranded Total RNA Prep with Ribo-Zero Plus',
    qc: { pctQ30: 90.2 },
    variants: [],
    implications: [],
    dataFiles: [],
  },
  {
    name: 'lrs-germline-positive',
    title: 'Long-read sequencing, germline, positive (BRCA2 c.5946del)',
    description: 'Long-read genome sequencing for hereditary cancer (R03): the pathogenic BRCA2 founder deletion c.5946del.',
    analysisType: 'LRS',
    indication: ['R03', 'Hereditary cancer'],
    conclusion: 'positive',
    patient: { cpr: '2204701235', gender: 'male' },
    lab: AUH_MOMA,
    requester: RH_ONKOLOGI,
    specimen: { id: 'AUH-MOMA-L-25-0042', type: ['258580003', 'Whole blood sample'], collected: '2025-09-15T08:15:00+02:00' },
    authoredOn: '2025-09-10T15:00:00+02:00',
    effective: '2025-10-08T12:00:00+02:00',
    issued: '2025-10-13T10:30:00+02:00',
    timestamp: '2025-10-13T10:31:00+02:00',
    platform: 'PacBio Revio',
    pipeline: ['PacBio WGS Variant Pipeline', '2.0.0'],
    libraryPrep: 'SMRTbell prep kit 3.0',
    qc: { meanCoverage: 31.2, pctQ30: 95.1 },
    variants: [BRCA2_5946DEL],
    implications: [
      {
        key: 'implication-brca2',
        variants: ['variant-brca2'],
        significance: 'LA6668-3',
        phenotypes: [HPO_BREAST, { system: 'https://omim.org', code: '612555', display: 'Breast-ovarian cancer, familial, susceptibility to, 2' }],
        criteria: ['PVS1', 'PM2', 'PP5'],
      },
    ],
    dataFiles: [],
  },
];

// ------------------------------------------------------------------ building

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A stable UUID (v4 layout) from a name, so that regenerated examples are byte-identical. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function narrative(summary: string): Json {
  const escaped = summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escaped}</p></div>` };
}

function qcSummary(spec: ExampleSpec): string {
  const q = spec.qc;
  const parts = [
    q.meanCoverage !== undefined ? `mean coverage ${q.meanCoverage}x` : '',
    q.pct20x !== undefined ? `${q.pct20x} % of target at 20x` : '',
    q.pctQ30 !== undefined ? `${q.pctQ30} % Q30` : '',
    q.contamination !== undefined ? `contamination ${q.contamination} %` : '',
    q.sexCheck ? `sex check ${q.sexCheck}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no thresholds for this analysis type';
}

function cc(system: string, code: string, display?: string): Json {
  return { coding: [display ? { system, code, display } : { system, code }] };
}

function comp(system: string, code: string, value: Json): Json {
  return { code: cc(system, code), ...value };
}

function quantity(value: number, unit: '1' | '%'): Json {
  return { valueQuantity: { value, unit, system: UCUM, code: unit } };
}

function buildBundle(spec: ExampleSpec): Json {
  const url = (key: string) => `urn:uuid:${stableUuid(`${spec.name}/${key}`)}`;
  const ref = (key: string) => ({ reference: url(key) });
  const entries: { key: string; resource: Json }[] = [];
  const add = (key: string, profile: string, summary: string, resource: Json) => {
    entries.push({ key, resource: { resourceType: resource.resourceType, meta: { profile: [`${SD}${profile}`] }, text: narrative(summary), ...resource } });
  };
  const observationKeys = ['analysis', 'qc', ...spec.variants.map((v) => v.key), ...spec.implications.map((i) => i.key)];

  add('report', 'ngc-genomic-report', `${spec.title}. Report ${spec.specimen.id}-R1 from ${spec.lab.name}: ${CONCLUSION[spec.conclusion][1]}.`, {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: `https://sor.ngc.dk/${spec.lab.sor}/report-id`, value: `${spec.specimen.id}-R1` }],
    basedOn: [ref('order')],
    status: 'final',
    category: [cc('http://terminology.hl7.org/CodeSystem/v2-0074', 'GE', 'Genetics')],
    code: cc(LOINC, '51969-4', 'Genetic analysis report'),
    subject: ref('patient'),
    effectiveDateTime: spec.effective,
    issued: spec.issued,
    performer: [ref('lab')],
    specimen: [ref('specimen')],
    result: observationKeys.map(ref),
    conclusionCode: [cc(LOINC, CONCLUSION[spec.conclusion][0], CONCLUSION[spec.conclusion][1])],
  });
  add('patient', 'ngc-patient', 'Patient identified by CPR number (no name or address: data minimisation).', {
    resourceType: 'Patient',
    identifier: [{ use: 'official', system: CPR, value: spec.patient.cpr }],
    gender: spec.patient.gender,
  });
  add('lab', 'ngc-organization', `${spec.lab.name} (SOR ${spec.lab.sor}), performing laboratory.`, {
    resourceType: 'Organization',
    identifier: [{ use: 'official', system: SOR, value: spec.lab.sor }],
    name: spec.lab.name,
  });
  add('requester', 'ngc-organization', `${spec.requester.name} (SOR ${spec.requester.sor}), requesting department.`, {
    resourceType: 'Organization',
    identifier: [{ use: 'official', system: SOR, value: spec.requester.sor }],
    name: spec.requester.name,
  });
  add('order', 'ngc-service-request', `Order for ${spec.analysisType}, indication ${spec.indication[0]} ${spec.indication[1]}.`, {
    resourceType: 'ServiceRequest',
    status: 'completed',
    intent: 'order',
    category: [cc(`${CS}ngc-purpose`, 'diagnostic', 'Diagnostics and treatment')],
    code: cc(`${CS}ngc-analysis-type`, spec.analysisType),
    subject: ref('patient'),
    authoredOn: spec.authoredOn,
    requester: ref('requester'),
    reasonCode: [cc(`${CS}ngc-indication`, spec.indication[0], spec.indication[1])],
  });
  add('specimen', 'ngc-specimen', `${spec.specimen.type[1]} ${spec.specimen.id}, collected ${spec.specimen.collected}.`, {
    resourceType: 'Specimen',
    identifier: [{ system: `https://sor.ngc.dk/${spec.lab.sor}/specimen-id`, value: spec.specimen.id }],
    type: cc(SCT, spec.specimen.type[0], spec.specimen.type[1]),
    subject: ref('patient'),
    request: [ref('order')],
    collection: { collectedDateTime: spec.specimen.collected },
  });

  const analysisComponents = [
    comp(OBS, 'analysis-type', { valueCodeableConcept: cc(`${CS}ngc-analysis-type`, spec.analysisType) }),
    comp(LOINC, '62374-4', { valueCodeableConcept: cc(LOINC, 'LA26806-2', 'GRCh38') }),
  ];
  if (spec.platform) analysisComponents.push(comp(OBS, 'sequencing-platform', { valueString: spec.platform }));
  analysisComponents.push(comp(OBS, 'pipeline', { valueString: spec.pipeline[0] }), comp(OBS, 'pipeline-version', { valueString: spec.pipeline[1] }));
  if (spec.targetRegions) analysisComponents.push(comp(OBS, 'target-regions', { valueString: spec.targetRegions }));
  if (spec.libraryPrep) analysisComponents.push(comp(OBS, 'library-prep', { valueString: spec.libraryPrep }));
  add('analysis', 'ngc-sequencing-analysis', `${spec.analysisType} on GRCh38, ${spec.pipeline[0]} ${spec.pipeline[1]}.`, {
    resourceType: 'Observation',
    status: 'final',
    category: CATEGORIES,
    code: cc(OBS, 'sequencing-analysis'),
    subject: ref('patient'),
    specimen: ref('specimen'),
    ...(spec.dataFiles.length ? { derivedFrom: spec.dataFiles.map((f) => ref(f.key)) } : {}),
    component: analysisComponents,
  });

  const qcComponents: Json[] = [];
  if (spec.qc.meanCoverage !== undefined) qcComponents.push(comp(OBS, 'mean-coverage', quantity(spec.qc.meanCoverage, '1')));
  if (spec.qc.pct20x !== undefined) qcComponents.push(comp(OBS, 'pct-bases-20x', quantity(spec.qc.pct20x, '%')));
  if (spec.qc.pctQ30 !== undefined) qcComponents.push(comp(OBS, 'pct-q30', quantity(spec.qc.pctQ30, '%')));
  if (spec.qc.contamination !== undefined) qcComponents.push(comp(OBS, 'contamination', quantity(spec.qc.contamination, '%')));
  if (spec.qc.sexCheck) qcComponents.push(comp(OBS, 'sex-check', { valueCodeableConcept: cc(OBS, spec.qc.sexCheck) }));
  add('qc', 'ngc-sequencing-qc', `Sequencing QC: ${qcSummary(spec)}.`, {
    resourceType: 'Observation',
    status: 'final',
    category: CATEGORIES,
    code: cc(OBS, 'sequencing-qc'),
    subject: ref('patient'),
    specimen: ref('specimen'),
    ...(qcComponents.length ? { component: qcComponents } : {}),
  });

  for (const v of spec.variants) add(v.key, 'ngc-variant', `${[v.gene?.symbol, v.c ?? v.g, v.p].filter(Boolean).join(' ')} (${v.source}).`, variantResource(v, ref));
  for (const i of spec.implications) {
    add(i.key, 'ngc-diagnostic-implication', `${SIGNIFICANCE[i.significance]}${i.phenotypes.length ? `: ${i.phenotypes.map((p) => p.display).join('; ')}` : ''}.`, {
      resourceType: 'Observation',
      status: 'final',
      category: CATEGORIES,
      code: cc('http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs', 'diagnostic-implication', 'Diagnostic Implication'),
      subject: ref('patient'),
      derivedFrom: i.variants.map(ref),
      component: [
        comp(LOINC, '53037-8', { valueCodeableConcept: cc(LOINC, i.significance, SIGNIFICANCE[i.significance]) }),
        ...i.phenotypes.map((p) => comp(LOINC, '81259-4', { valueCodeableConcept: cc(p.system, p.code, p.display) })),
        ...i.criteria.map((c) => comp(OBS, 'acmg-criteria', { valueCodeableConcept: cc(`${CS}ngc-acmg-criteria`, c) })),
      ],
    });
  }
  for (const f of spec.dataFiles) {
    add(f.key, 'ngc-data-file', `${f.format} file ${f.url}.`, {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: ref('patient'),
      content: [
        {
          attachment: {
            extension: [
              { url: `${SD}ngc-sha256`, valueString: f.sha256 },
              { url: `${SD}ngc-file-size`, valueDecimal: f.size },
            ],
            url: f.url,
          },
          format: { system: `${CS}ngc-file-format`, code: f.format },
        },
      ],
    });
  }

  return {
    resourceType: 'Bundle',
    identifier: { system: `https://sor.ngc.dk/${spec.lab.sor}/submission-id`, value: `${spec.specimen.id}-S1` },
    type: 'transaction',
    timestamp: spec.timestamp,
    entry: entries.map((e) => ({ fullUrl: url(e.key), resource: e.resource, request: { method: 'POST', url: e.resource.resourceType } })),
  };
}

function variantResource(v: VariantSpec, ref: (key: string) => Json): Json {
  const components: Json[] = [];
  if (v.gene) components.push(comp(LOINC, '48018-6', { valueCodeableConcept: cc(HGNC, v.gene.hgnc, v.gene.symbol) }));
  components.push(comp(LOINC, '81290-9', { valueCodeableConcept: cc(HGVS, v.g) }));
  if (v.c) components.push(comp(LOINC, '48004-6', { valueCodeableConcept: cc(HGVS, v.c) }));
  if (v.p) components.push(comp(LOINC, '48005-3', { valueCodeableConcept: cc(HGVS, v.p) }));
  if (v.transcript) components.push(comp(LOINC, '51958-7', { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/refseq', v.transcript) }));
  components.push(comp(LOINC, '62374-4', { valueCodeableConcept: cc(LOINC, 'LA26806-2', 'GRCh38') }));
  components.push(comp(LOINC, '81254-5', { valueRange: { low: { value: v.start }, high: { value: v.end } } }));
  if (v.ref) components.push(comp(LOINC, '69547-8', { valueString: v.ref }));
  if (v.alt) components.push(comp(LOINC, '69551-0', { valueString: v.alt }));
  components.push(comp(LOINC, '92822-6', { valueCodeableConcept: cc(LOINC, 'LA30102-0', '1-based character counting') }));
  components.push(
    comp(LOINC, '48002-0', { valueCodeableConcept: v.source === 'germline' ? cc(LOINC, 'LA6683-2', 'Germline') : cc(LOINC, 'LA6684-0', 'Somatic') }),
  );
  if (v.allelicState) components.push(comp(LOINC, '53034-5', { valueCodeableConcept: cc(LOINC, ALLELIC_STATE[v.allelicState][0], ALLELIC_STATE[v.allelicState][1]) }));
  if (v.vaf !== undefined) components.push(comp(LOINC, '81258-6', quantity(v.vaf, '1')));
  if (v.depth !== undefined) components.push(comp(LOINC, '82121-5', { valueQuantity: { value: v.depth } }));
  components.push(comp(LOINC, '48019-4', { valueCodeableConcept: cc(SO, v.changeType[0], v.changeType[1]) }));
  if (v.clinvar) components.push(comp(LOINC, '81252-9', { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/clinvar', v.clinvar) }));
  if (v.dbsnp) components.push(comp(LOINC, '81252-9', { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/projects/SNP', v.dbsnp) }));
  return {
    resourceType: 'Observation',
    status: 'final',
    category: CATEGORIES,
    code: cc(LOINC, '69548-6', 'Genetic variant assessment'),
    subject: ref('patient'),
    specimen: ref('specimen'),
    valueCodeableConcept: cc(LOINC, 'LA9633-4', 'Present'),
    component: components,
  };
}

// ------------------------------------------------------------------ mutations

/** The resource of the n-th entry with this NGC profile. */
function res(b: Json, profile: string, n = 0): Json {
  const found = b.entry.filter((e: Json) => e.resource.meta?.profile?.[0] === `${SD}${profile}`);
  if (!found[n]) throw new Error(`no ${profile} #${n}`);
  return found[n].resource;
}
function fullUrlOf(b: Json, profile: string, n = 0): string {
  const r = res(b, profile, n);
  return b.entry.find((e: Json) => e.resource === r).fullUrl;
}
/** The component with this code (LOINC or ngc-observation-code). */
function component(r: Json, code: string, n = 0): Json {
  const found = r.component.filter((c: Json) => c.code.coding.some((x: Json) => x.code === code));
  if (!found[n]) throw new Error(`no component ${code}`);
  return found[n];
}
function dropComponent(r: Json, code: string): void {
  const c = component(r, code);
  r.component.splice(r.component.indexOf(c), 1);
}
function addEntry(b: Json, key: string, resource: Json): string {
  const fullUrl = `urn:uuid:${stableUuid(`extra/${key}`)}`;
  b.entry.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType } });
  return fullUrl;
}

export interface BrokenExample {
  /** File name without .json: the rule id, with -n for further examples of the same rule. */
  id: string;
  base: string;
  /** The rule the example is about. */
  rule: string;
  /** Rule ids expected in the outcome (errors and warnings). */
  expect: string[];
  verdict: 'rejected' | 'accepted';
  description: string;
  /** Where the verdict is decided: 'bundle' (validator and CLI) or 'http' (needs the HTTP context). */
  context?: 'bundle' | 'http';
  mutate?: (b: Json) => void;
  /** For rules about the raw JSON text (SUB-10, SUB-13): the text to write instead of the Bundle. */
  raw?: (b: Json) => string;
}

const W = 'wgs-germline-positive';
const T = 'wgs-tumour-somatic';

export const BROKEN: BrokenExample[] = [
  { id: 'SUB-01', base: W, rule: 'SUB-01', expect: ['SUB-01'], verdict: 'rejected', description: 'Bundle.type is batch instead of transaction.', mutate: (b) => (b.type = 'batch') },
  { id: 'SUB-02', base: W, rule: 'SUB-02', expect: ['SUB-02'], verdict: 'rejected', description: 'Bundle.identifier is missing.', mutate: (b) => delete b.identifier },
  { id: 'SUB-03', base: W, rule: 'SUB-03', expect: ['SUB-03'], verdict: 'rejected', description: 'Bundle.timestamp lies in the future.', mutate: (b) => (b.timestamp = '2099-01-01T12:00:00+01:00') },
  { id: 'SUB-04', base: W, rule: 'SUB-04', expect: ['SUB-04'], verdict: 'rejected', description: 'The Patient entry is sent with request.method PUT.', mutate: (b) => (b.entry[1].request = { method: 'PUT', url: 'Patient' }) },
  { id: 'SUB-04-2', base: W, rule: 'SUB-04', expect: ['SUB-04'], verdict: 'rejected', description: 'An entry\'s request.url is not its resource type.', mutate: (b) => (b.entry[4].request.url = 'Observation') },
  {
    id: 'SUB-05',
    base: W,
    rule: 'SUB-05',
    expect: ['SUB-05'],
    verdict: 'rejected',
    description: 'Specimen.subject points outside the Bundle (Patient/1) instead of at the Patient entry.',
    mutate: (b) => (res(b, 'ngc-specimen').subject = { reference: 'Patient/1' }),
  },
  {
    id: 'SUB-06',
    base: W,
    rule: 'SUB-06',
    expect: ['SUB-06'],
    verdict: 'rejected',
    description: 'The requesting Organization declares the DK Core profile instead of ngc-organization.',
    mutate: (b) => (res(b, 'ngc-organization', 1).meta.profile = ['http://hl7.dk/fhir/core/StructureDefinition/dk-core-organization']),
  },
  {
    id: 'SUB-07',
    base: W,
    rule: 'SUB-07',
    expect: ['SUB-07'],
    verdict: 'rejected',
    description: 'A second ngc-sequencing-qc is sent (and referenced from the report).',
    mutate: (b) => {
      const copy = JSON.parse(JSON.stringify(res(b, 'ngc-sequencing-qc')));
      const url = addEntry(b, 'second-qc', copy);
      res(b, 'ngc-genomic-report').result.push({ reference: url });
    },
  },
  {
    id: 'SUB-08',
    base: W,
    rule: 'SUB-08',
    expect: ['SUB-08'],
    verdict: 'rejected',
    description: 'A second Specimen that nothing references (an orphan entry).',
    mutate: (b) => {
      const copy = JSON.parse(JSON.stringify(res(b, 'ngc-specimen')));
      copy.identifier[0].value = 'RH-KGA-2025-004712';
      addEntry(b, 'orphan-specimen', copy);
    },
  },
  {
    id: 'SUB-09',
    base: W,
    rule: 'SUB-09',
    expect: ['SUB-07', 'SUB-09'],
    verdict: 'rejected',
    description: 'The variant is about a second Patient (which also breaks SUB-07: one patient per Bundle).',
    mutate: (b) => {
      const other = { resourceType: 'Patient', meta: { profile: [`${SD}ngc-patient`] }, text: narrative('A second patient.'), identifier: [{ use: 'official', system: CPR, value: '0507824127' }], gender: 'male' };
      const url = addEntry(b, 'other-patient', other);
      res(b, 'ngc-variant').subject = { reference: url };
    },
  },
  {
    id: 'SUB-10',
    base: W,
    rule: 'SUB-10',
    expect: ['SUB-10'],
    verdict: 'rejected',
    description: 'JSON nested 70 levels deep (the limit is 64), in a Patient extension.',
    raw: (b) => {
      let ext: Json = { url: 'http://example.org/deep', valueString: 'x' };
      for (let i = 0; i < 35; i++) ext = { url: 'http://example.org/deep', extension: [ext] };
      res(b, 'ngc-patient').extension = [ext];
      return `${JSON.stringify(b, null, 2)}\n`;
    },
  },
  {
    id: 'SUB-11',
    base: W,
    rule: 'SUB-11',
    expect: ['SUB-11'],
    verdict: 'rejected',
    context: 'http',
    description: 'Sent after wgs-germline-positive was accepted: same Bundle.identifier, different content (the report was re-issued) → 409 conflict.',
    mutate: (b) => (res(b, 'ngc-genomic-report').issued = '2025-03-14T09:30:00+01:00'),
  },
  {
    id: 'SUB-12',
    base: W,
    rule: 'SUB-12',
    expect: ['SUB-12'],
    verdict: 'rejected',
    context: 'http',
    description: 'Performed by a laboratory (SOR 5001000016004) that the submitting client is not registered for, when sent by a client registered for Rigshospitalet only → 403.',
    mutate: (b) => {
      const lab = res(b, 'ngc-organization');
      lab.identifier[0].value = OUH_KGA.sor;
      lab.name = OUH_KGA.name;
    },
  },
  {
    id: 'SUB-13',
    base: W,
    rule: 'SUB-13',
    expect: ['SUB-13'],
    verdict: 'rejected',
    description: 'The Patient has a duplicate key and a null value (not allowed in FHIR JSON).',
    raw: (b) => {
      const text = JSON.stringify(b, null, 2);
      return `${text.replace('"gender": "female"', '"gender": "female",\n        "gender": "male",\n        "birthDate": null')}\n`;
    },
  },

  { id: 'PAT-01', base: W, rule: 'PAT-01', expect: ['PAT-01'], verdict: 'rejected', description: 'An X-eCPR of the wrong form (only 3 characters after the date).', mutate: (b) => (res(b, 'ngc-patient').identifier = [{ system: 'urn:oid:1.2.208.176.1.6.1.1', value: '120391AB1' }]) },
  {
    id: 'PAT-02',
    base: W,
    rule: 'PAT-02',
    expect: ['PAT-02'],
    verdict: 'rejected',
    description: 'CPR 2902001234: digit 7 (1) puts it in 1900, which had no 29 February.',
    mutate: (b) => (res(b, 'ngc-patient').identifier[0].value = '2902001234'),
  },
  { id: 'PAT-02-2', base: W, rule: 'PAT-02', expect: ['PAT-02'], verdict: 'rejected', description: 'CPR written with a hyphen.', mutate: (b) => (res(b, 'ngc-patient').identifier[0].value = '120391-4568') },
  { id: 'PAT-03', base: W, rule: 'PAT-03', expect: ['PAT-03'], verdict: 'accepted', description: 'gender male, but the CPR number\'s last digit is even (female): warning only.', mutate: (b) => (res(b, 'ngc-patient').gender = 'male') },
  { id: 'PAT-03-2', base: W, rule: 'PAT-03', expect: ['PAT-03'], verdict: 'rejected', description: 'gender is missing (required).', mutate: (b) => delete res(b, 'ngc-patient').gender },
  { id: 'PAT-04', base: W, rule: 'PAT-04', expect: ['PAT-04'], verdict: 'rejected', description: 'birthDate 1991-03-21 differs from the CPR number\'s date (1991-03-12).', mutate: (b) => (res(b, 'ngc-patient').birthDate = '1991-03-21') },
  { id: 'PAT-05', base: W, rule: 'PAT-05', expect: ['PAT-05'], verdict: 'accepted', description: 'The patient\'s name is sent: warning only (data minimisation).', mutate: (b) => (res(b, 'ngc-patient').name = [{ family: 'Jensen', given: ['Mette'] }]) },

  { id: 'ORG-01', base: W, rule: 'ORG-01', expect: ['ORG-01'], verdict: 'rejected', description: 'A SOR code of 8 digits.', mutate: (b) => (res(b, 'ngc-organization').identifier[0].value = '60810000') },
  { id: 'ORG-02', base: W, rule: 'ORG-02', expect: ['ORG-02'], verdict: 'rejected', description: 'The laboratory has no name.', mutate: (b) => delete res(b, 'ngc-organization').name },

  { id: 'SRQ-01', base: W, rule: 'SRQ-01', expect: ['SRQ-01'], verdict: 'rejected', description: 'ServiceRequest.intent is plan.', mutate: (b) => (res(b, 'ngc-service-request').intent = 'plan') },
  { id: 'SRQ-01-2', base: W, rule: 'SRQ-01', expect: ['SRQ-01'], verdict: 'rejected', description: 'ServiceRequest.status is draft.', mutate: (b) => (res(b, 'ngc-service-request').status = 'draft') },
  {
    id: 'SRQ-02',
    base: W,
    rule: 'SRQ-02',
    expect: ['SRQ-02'],
    verdict: 'rejected',
    description: 'The order is coded in LOINC instead of ngc-analysis-type.',
    mutate: (b) => (res(b, 'ngc-service-request').code = cc(LOINC, '86206-0', 'Whole genome sequence analysis')),
  },
  { id: 'SRQ-03', base: W, rule: 'SRQ-03', expect: ['SRQ-03'], verdict: 'rejected', description: 'The reason is a SNOMED CT code, not an NGC indication.', mutate: (b) => (res(b, 'ngc-service-request').reasonCode = [cc(SCT, '254837009', 'Malignant neoplasm of breast')]) },
  { id: 'SRQ-04', base: W, rule: 'SRQ-04', expect: ['SRQ-04'], verdict: 'rejected', description: 'authoredOn is after the report was issued.', mutate: (b) => (res(b, 'ngc-service-request').authoredOn = '2025-03-20T10:00:00+01:00') },
  {
    id: 'SRQ-04-2',
    base: W,
    rule: 'SRQ-04',
    expect: ['SRQ-04'],
    verdict: 'rejected',
    description: 'requester references the Patient instead of an ngc-organization (the requesting department is left out).',
    mutate: (b) => {
      const requester = res(b, 'ngc-organization', 1);
      b.entry = b.entry.filter((e: Json) => e.resource !== requester);
      res(b, 'ngc-service-request').requester = { reference: fullUrlOf(b, 'ngc-patient') };
    },
  },
  { id: 'SRQ-05', base: W, rule: 'SRQ-05', expect: ['SRQ-05'], verdict: 'rejected', description: 'The order is for research.', mutate: (b) => (res(b, 'ngc-service-request').category = [cc(`${CS}ngc-purpose`, 'research', 'Research')]) },

  { id: 'SPC-01', base: W, rule: 'SPC-01', expect: ['SPC-01'], verdict: 'rejected', description: 'The specimen has no identifier.', mutate: (b) => delete res(b, 'ngc-specimen').identifier },
  { id: 'SPC-02', base: W, rule: 'SPC-02', expect: ['SPC-02'], verdict: 'rejected', description: 'Specimen type Stool specimen, not in ngc-specimen-type.', mutate: (b) => (res(b, 'ngc-specimen').type = cc(SCT, '119339001', 'Stool specimen')) },
  { id: 'SPC-03', base: W, rule: 'SPC-03', expect: ['SPC-03'], verdict: 'rejected', description: 'The specimen was collected after the report\'s effective time.', mutate: (b) => (res(b, 'ngc-specimen').collection.collectedDateTime = '2025-02-25T09:00:00+01:00') },
  { id: 'SPC-04', base: W, rule: 'SPC-04', expect: ['SPC-04'], verdict: 'rejected', description: 'The specimen has no subject.', mutate: (b) => delete res(b, 'ngc-specimen').subject },

  { id: 'REP-01', base: W, rule: 'REP-01', expect: ['REP-01'], verdict: 'rejected', description: 'The report code is LOINC 11526-1 (Pathology study).', mutate: (b) => (res(b, 'ngc-genomic-report').code = cc(LOINC, '11526-1', 'Pathology study')) },
  { id: 'REP-02', base: W, rule: 'REP-02', expect: ['REP-02'], verdict: 'rejected', description: 'The report category is LAB, not GE.', mutate: (b) => (res(b, 'ngc-genomic-report').category = [cc('http://terminology.hl7.org/CodeSystem/v2-0074', 'LAB', 'Laboratory')]) },
  { id: 'REP-03', base: W, rule: 'REP-03', expect: ['REP-03'], verdict: 'rejected', description: 'A preliminary report.', mutate: (b) => (res(b, 'ngc-genomic-report').status = 'preliminary') },
  { id: 'REP-04', base: W, rule: 'REP-04', expect: ['REP-04'], verdict: 'rejected', description: 'The report has no identifier.', mutate: (b) => delete res(b, 'ngc-genomic-report').identifier },
  { id: 'REP-05', base: W, rule: 'REP-05', expect: ['REP-05'], verdict: 'rejected', description: 'The report names no specimen.', mutate: (b) => delete res(b, 'ngc-genomic-report').specimen },
  { id: 'REP-06', base: W, rule: 'REP-06', expect: ['REP-06'], verdict: 'rejected', description: 'issued is before effectiveDateTime.', mutate: (b) => (res(b, 'ngc-genomic-report').issued = '2025-02-19T10:00:00+01:00') },
  {
    id: 'REP-07',
    base: W,
    rule: 'REP-07',
    expect: ['REP-07'],
    verdict: 'rejected',
    description: 'The report\'s result leaves out the variant (it is still reachable through the diagnostic implication).',
    mutate: (b) => {
      const r = res(b, 'ngc-genomic-report');
      const v = fullUrlOf(b, 'ngc-variant');
      r.result = r.result.filter((x: Json) => x.reference !== v);
    },
  },
  { id: 'REP-08', base: W, rule: 'REP-08', expect: ['REP-08'], verdict: 'rejected', description: 'A Negative report with a Pathogenic finding.', mutate: (b) => (res(b, 'ngc-genomic-report').conclusionCode = [cc(LOINC, 'LA6577-6', 'Negative')]) },
  {
    id: 'REP-08-2',
    base: 'wes-negative',
    rule: 'REP-08',
    expect: ['REP-08'],
    verdict: 'rejected',
    description: 'A Positive report without any Pathogenic or Likely pathogenic finding.',
    mutate: (b) => (res(b, 'ngc-genomic-report').conclusionCode = [cc(LOINC, 'LA6576-8', 'Positive')]),
  },
  {
    id: 'REP-09',
    base: W,
    rule: 'REP-09',
    expect: ['REP-09'],
    verdict: 'rejected',
    description: 'presentedForm is plain text, not the signed PDF.',
    mutate: (b) => (res(b, 'ngc-genomic-report').presentedForm = [{ contentType: 'text/plain', data: Buffer.from('BRCA1 c.68_69del, pathogenic').toString('base64') }]),
  },

  { id: 'ANA-00', base: W, rule: 'ANA-00', expect: ['ANA-00'], verdict: 'rejected', description: 'The sequencing analysis is preliminary.', mutate: (b) => (res(b, 'ngc-sequencing-analysis').status = 'preliminary') },
  {
    id: 'ANA-00-2',
    base: W,
    rule: 'ANA-00',
    expect: ['ANA-00'],
    verdict: 'rejected',
    description: 'The analysis names a specimen the report does not list.',
    mutate: (b) => {
      const copy = JSON.parse(JSON.stringify(res(b, 'ngc-specimen')));
      copy.identifier[0].value = 'RH-KGA-2025-004799';
      res(b, 'ngc-sequencing-analysis').specimen = { reference: addEntry(b, 'other-specimen', copy) };
    },
  },
  {
    id: 'ANA-01',
    base: W,
    rule: 'ANA-01',
    expect: ['ANA-01'],
    verdict: 'rejected',
    description: 'The analysis says LRS but WGS was ordered.',
    mutate: (b) => (component(res(b, 'ngc-sequencing-analysis'), 'analysis-type').valueCodeableConcept = cc(`${CS}ngc-analysis-type`, 'LRS')),
  },
  { id: 'ANA-02', base: W, rule: 'ANA-02', expect: ['ANA-02'], verdict: 'rejected', description: 'Aligned to GRCh37.', mutate: (b) => (component(res(b, 'ngc-sequencing-analysis'), '62374-4').valueCodeableConcept = cc(LOINC, 'LA14029-5', 'GRCh37')) },
  { id: 'ANA-03', base: W, rule: 'ANA-03', expect: ['ANA-03'], verdict: 'rejected', description: 'WGS without the sequencing platform.', mutate: (b) => dropComponent(res(b, 'ngc-sequencing-analysis'), 'sequencing-platform') },
  { id: 'ANA-04', base: W, rule: 'ANA-04', expect: ['ANA-04'], verdict: 'rejected', description: 'No pipeline component.', mutate: (b) => dropComponent(res(b, 'ngc-sequencing-analysis'), 'pipeline') },
  { id: 'ANA-05', base: W, rule: 'ANA-05', expect: ['ANA-05'], verdict: 'rejected', description: 'No pipeline-version component.', mutate: (b) => dropComponent(res(b, 'ngc-sequencing-analysis'), 'pipeline-version') },
  { id: 'ANA-06', base: 'wes-negative', rule: 'ANA-06', expect: ['ANA-06'], verdict: 'rejected', description: 'WES without target regions (capture kit).', mutate: (b) => dropComponent(res(b, 'ngc-sequencing-analysis'), 'target-regions') },
  {
    id: 'ANA-07',
    base: W,
    rule: 'ANA-07',
    expect: ['ANA-07'],
    verdict: 'rejected',
    description: 'library-prep given as a number instead of a string.',
    mutate: (b) => {
      const c = component(res(b, 'ngc-sequencing-analysis'), 'library-prep');
      delete c.valueString;
      c.valueInteger = 3;
    },
  },
  {
    id: 'ANA-08',
    base: W,
    rule: 'ANA-08',
    expect: ['ANA-08'],
    verdict: 'rejected',
    description: 'The analysis is derived from the QC Observation instead of data files.',
    mutate: (b) => res(b, 'ngc-sequencing-analysis').derivedFrom.push({ reference: fullUrlOf(b, 'ngc-sequencing-qc') }),
  },

  { id: 'QC-00', base: W, rule: 'QC-00', expect: ['QC-00'], verdict: 'rejected', description: 'The QC Observation is preliminary.', mutate: (b) => (res(b, 'ngc-sequencing-qc').status = 'preliminary') },
  { id: 'QC-01', base: W, rule: 'QC-01', expect: ['QC-01'], verdict: 'rejected', description: 'WGS germline with mean coverage 24x (threshold 30x).', mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'mean-coverage').valueQuantity.value = 24) },
  { id: 'QC-01-2', base: T, rule: 'QC-01', expect: ['QC-01'], verdict: 'rejected', description: 'WGS tumour with mean coverage 60x: enough for germline, below the tumour threshold of 90x.', mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'mean-coverage').valueQuantity.value = 60) },
  { id: 'QC-01-3', base: 'wes-negative', rule: 'QC-01', expect: ['QC-01'], verdict: 'rejected', description: 'WES without mean coverage (required).', mutate: (b) => dropComponent(res(b, 'ngc-sequencing-qc'), 'mean-coverage') },
  { id: 'QC-02', base: W, rule: 'QC-02', expect: ['QC-02'], verdict: 'rejected', description: '85 % of target bases at 20x (threshold 90 %).', mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'pct-bases-20x').valueQuantity.value = 85) },
  { id: 'QC-03', base: W, rule: 'QC-03', expect: ['QC-03'], verdict: 'rejected', description: '75 % of bases at Q30 (threshold 80 %).', mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'pct-q30').valueQuantity.value = 75) },
  { id: 'QC-04', base: W, rule: 'QC-04', expect: ['QC-04'], verdict: 'rejected', description: 'Contamination 3.5 % (at most 2 %).', mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'contamination').valueQuantity.value = 3.5) },
  {
    id: 'QC-05',
    base: W,
    rule: 'QC-05',
    expect: ['QC-05'],
    verdict: 'rejected',
    description: 'The sex check is discordant (possible sample swap).',
    mutate: (b) => (component(res(b, 'ngc-sequencing-qc'), 'sex-check').valueCodeableConcept = cc(OBS, 'discordant')),
  },

  { id: 'VAR-00', base: W, rule: 'VAR-00', expect: ['VAR-00'], verdict: 'rejected', description: 'A preliminary variant.', mutate: (b) => (res(b, 'ngc-variant').status = 'preliminary') },
  { id: 'VAR-01', base: W, rule: 'VAR-01', expect: ['VAR-01'], verdict: 'rejected', description: 'A sequence variant without the gene studied.', mutate: (b) => dropComponent(res(b, 'ngc-variant'), '48018-6') },
  { id: 'VAR-02', base: W, rule: 'VAR-02', expect: ['VAR-02'], verdict: 'rejected', description: 'No genomic (g.) HGVS.', mutate: (b) => dropComponent(res(b, 'ngc-variant'), '81290-9') },
  {
    id: 'VAR-03',
    base: W,
    rule: 'VAR-03',
    expect: ['VAR-03'],
    verdict: 'rejected',
    description: 'Two c.HGVS components (at most one).',
    mutate: (b) => {
      const v = res(b, 'ngc-variant');
      const c = component(v, '48004-6');
      v.component.splice(v.component.indexOf(c) + 1, 0, comp(LOINC, '48004-6', { valueCodeableConcept: cc(HGVS, 'NM_007294.4:c.68_69delAG') }));
    },
  },
  {
    id: 'VAR-04',
    base: W,
    rule: 'VAR-04',
    expect: ['VAR-04'],
    verdict: 'rejected',
    description: 'p.HGVS with 1-letter amino acid codes (p.E23Vfs*17).',
    mutate: (b) => (component(res(b, 'ngc-variant'), '48005-3').valueCodeableConcept = cc(HGVS, 'NP_009225.1:p.E23Vfs*17')),
  },
  {
    id: 'VAR-05',
    base: W,
    rule: 'VAR-05',
    expect: ['VAR-05'],
    verdict: 'rejected',
    description: 'The transcript is NM_007294.3 while the c.HGVS is on NM_007294.4.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '51958-7').valueCodeableConcept = cc('http://www.ncbi.nlm.nih.gov/refseq', 'NM_007294.3')),
  },
  { id: 'VAR-05-2', base: W, rule: 'VAR-05', expect: ['VAR-05'], verdict: 'rejected', description: 'c.HGVS without the transcript component.', mutate: (b) => dropComponent(res(b, 'ngc-variant'), '51958-7') },
  { id: 'VAR-06', base: W, rule: 'VAR-06', expect: ['VAR-06'], verdict: 'rejected', description: 'The variant\'s reference assembly is GRCh37.', mutate: (b) => (component(res(b, 'ngc-variant'), '62374-4').valueCodeableConcept = cc(LOINC, 'LA14029-5', 'GRCh37')) },
  {
    id: 'VAR-07',
    base: W,
    rule: 'VAR-07',
    expect: ['VAR-07'],
    verdict: 'rejected',
    description: 'g.HGVS on NC_000017.10, the GRCh37 version of chromosome 17.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '81290-9').valueCodeableConcept = cc(HGVS, 'NC_000017.10:g.43124027_43124028del')),
  },
  {
    id: 'VAR-08',
    base: W,
    rule: 'VAR-08',
    expect: ['VAR-08'],
    verdict: 'rejected',
    description: 'g.HGVS that does not parse (a deletion written "dl").',
    mutate: (b) => (component(res(b, 'ngc-variant'), '81290-9').valueCodeableConcept = cc(HGVS, 'NC_000017.11:g.43124027_43124028dl')),
  },
  {
    id: 'VAR-08-2',
    base: W,
    rule: 'VAR-08',
    expect: ['VAR-08'],
    verdict: 'rejected',
    description: 'c.HGVS with an intronic offset of 0 (c.68+0A>G), which HGVS does not allow.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '48004-6').valueCodeableConcept = cc(HGVS, 'NM_007294.4:c.68+0A>G')),
  },
  {
    id: 'VAR-09',
    base: W,
    rule: 'VAR-09',
    expect: ['VAR-09'],
    verdict: 'rejected',
    description: 'start-end 43124027-43124029 while the g.HGVS deletion spans 43124027-43124028.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '81254-5').valueRange.high.value = 43124029),
  },
  {
    id: 'VAR-09-2',
    base: T,
    rule: 'VAR-09',
    expect: ['VAR-09'],
    verdict: 'rejected',
    description: 'A position beyond the end of chromosome 17 (83,257,441 bases).',
    mutate: (b) => {
      const v = res(b, 'ngc-variant');
      component(v, '81290-9').valueCodeableConcept = cc(HGVS, 'NC_000017.11:g.93675088C>T');
      component(v, '81254-5').valueRange = { low: { value: 93675088 }, high: { value: 93675088 } };
    },
  },
  { id: 'VAR-10', base: T, rule: 'VAR-10', expect: ['VAR-10'], verdict: 'rejected', description: 'The alternate allele A disagrees with the g.HGVS substitution C>T.', mutate: (b) => (component(res(b, 'ngc-variant'), '69551-0').valueString = 'A') },
  { id: 'VAR-11', base: W, rule: 'VAR-11', expect: ['VAR-11'], verdict: 'rejected', description: 'Coordinate system 0-based interval counting.', mutate: (b) => (component(res(b, 'ngc-variant'), '92822-6').valueCodeableConcept = cc(LOINC, 'LA30100-4', '0-based interval counting')) },
  { id: 'VAR-12', base: W, rule: 'VAR-12', expect: ['VAR-12'], verdict: 'rejected', description: 'No genomic source class.', mutate: (b) => dropComponent(res(b, 'ngc-variant'), '48002-0') },
  { id: 'VAR-13', base: W, rule: 'VAR-13', expect: ['VAR-13'], verdict: 'rejected', description: 'A germline variant without allelic state.', mutate: (b) => dropComponent(res(b, 'ngc-variant'), '53034-5') },
  { id: 'VAR-14', base: T, rule: 'VAR-14', expect: ['VAR-14'], verdict: 'rejected', description: 'Somatic allele frequency given in per cent (38) instead of as a fraction.', mutate: (b) => (component(res(b, 'ngc-variant'), '81258-6').valueQuantity.value = 38) },
  { id: 'VAR-15', base: W, rule: 'VAR-15', expect: ['VAR-15'], verdict: 'rejected', description: 'A read depth of 40.5.', mutate: (b) => (component(res(b, 'ngc-variant'), '82121-5').valueQuantity.value = 40.5) },
  { id: 'VAR-16', base: W, rule: 'VAR-16', expect: ['VAR-16'], verdict: 'rejected', description: 'Change type SNV for a g.HGVS deletion.', mutate: (b) => (component(res(b, 'ngc-variant'), '48019-4').valueCodeableConcept = cc(SO, 'SO:0001483', 'SNV')) },
  {
    id: 'VAR-17',
    base: W,
    rule: 'VAR-17',
    expect: ['VAR-17'],
    verdict: 'rejected',
    description: 'A discrete variant coded with an NCBI Gene id instead of ClinVar or dbSNP.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '81252-9').valueCodeableConcept = cc('http://www.ncbi.nlm.nih.gov/gene', '672')),
  },

  { id: 'DIM-00', base: W, rule: 'DIM-00', expect: ['DIM-00'], verdict: 'rejected', description: 'The diagnostic implication carries a value.', mutate: (b) => (res(b, 'ngc-diagnostic-implication').valueCodeableConcept = cc(LOINC, 'LA6668-3', 'Pathogenic')) },
  {
    id: 'DIM-01',
    base: W,
    rule: 'DIM-01',
    expect: ['DIM-01'],
    verdict: 'rejected',
    description: 'The implication is derived from the sequencing analysis, not from a variant.',
    mutate: (b) => (res(b, 'ngc-diagnostic-implication').derivedFrom = [{ reference: fullUrlOf(b, 'ngc-sequencing-analysis') }]),
  },
  {
    id: 'DIM-02',
    base: W,
    rule: 'DIM-02',
    expect: ['DIM-02'],
    verdict: 'rejected',
    description: 'Clinical significance coded outside ngc-acmg-classification.',
    mutate: (b) => (component(res(b, 'ngc-diagnostic-implication'), '53037-8').valueCodeableConcept = cc(LOINC, 'LA6682-4', 'Unknown significance')),
  },
  {
    id: 'DIM-03',
    base: W,
    rule: 'DIM-03',
    expect: ['DIM-03'],
    verdict: 'accepted',
    description: 'A Pathogenic finding without an associated phenotype: warning only.',
    mutate: (b) => {
      const d = res(b, 'ngc-diagnostic-implication');
      d.component = d.component.filter((c: Json) => !c.code.coding.some((x: Json) => x.code === '81259-4'));
    },
  },
  {
    id: 'DIM-04',
    base: W,
    rule: 'DIM-04',
    expect: ['DIM-04'],
    verdict: 'rejected',
    description: 'ACMG criterion PM7, which does not exist.',
    mutate: (b) => (component(res(b, 'ngc-diagnostic-implication'), 'acmg-criteria').valueCodeableConcept = cc(`${CS}ngc-acmg-criteria`, 'PM7')),
  },

  { id: 'FIL-01', base: W, rule: 'FIL-01', expect: ['FIL-01'], verdict: 'rejected', description: 'A data file with status superseded.', mutate: (b) => (res(b, 'ngc-data-file').status = 'superseded') },
  { id: 'FIL-02', base: W, rule: 'FIL-02', expect: ['FIL-02'], verdict: 'rejected', description: 'File format bcf, not in ngc-file-format.', mutate: (b) => (res(b, 'ngc-data-file').content[0].format = { system: `${CS}ngc-file-format`, code: 'bcf' }) },
  { id: 'FIL-03', base: W, rule: 'FIL-03', expect: ['FIL-03'], verdict: 'rejected', description: 'The file has no location.', mutate: (b) => delete res(b, 'ngc-data-file').content[0].attachment.url },
  {
    id: 'FIL-04',
    base: W,
    rule: 'FIL-04',
    expect: ['FIL-04'],
    verdict: 'rejected',
    description: 'The SHA-256 is written in upper case.',
    mutate: (b) => {
      const ext = res(b, 'ngc-data-file').content[0].attachment.extension[0];
      ext.valueString = ext.valueString.toUpperCase();
    },
  },
  {
    id: 'FIL-04-2',
    base: W,
    rule: 'FIL-04',
    expect: ['FIL-04'],
    verdict: 'rejected',
    description: 'attachment.size disagrees with ngc-file-size.',
    mutate: (b) => (res(b, 'ngc-data-file', 1).content[0].attachment.size = 412337980),
  },

  {
    id: 'TERM-01',
    base: W,
    rule: 'TERM-01',
    expect: ['TERM-01'],
    verdict: 'accepted',
    description: 'HGNC named by its Genomics Reporting STU2 URI http://www.genenames.org/geneId: normalised, warning only.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '48018-6').valueCodeableConcept.coding[0].system = 'http://www.genenames.org/geneId'),
  },
  {
    id: 'TERM-01-2',
    base: W,
    rule: 'TERM-01',
    expect: ['TERM-01'],
    verdict: 'accepted',
    description: 'Sequence Ontology named http://sequenceontology.org: normalised, warning only.',
    mutate: (b) => (component(res(b, 'ngc-variant'), '48019-4').valueCodeableConcept.coding[0].system = 'http://sequenceontology.org'),
  },
  { id: 'TERM-02', base: W, rule: 'TERM-02', expect: ['TERM-02'], verdict: 'rejected', description: 'The HGNC code is the gene symbol BRCA1 instead of HGNC:1100.', mutate: (b) => (component(res(b, 'ngc-variant'), '48018-6').valueCodeableConcept.coding[0].code = 'BRCA1') },
  {
    id: 'TERM-02-2',
    base: W,
    rule: 'TERM-02',
    expect: ['TERM-02'],
    verdict: 'rejected',
    description: 'An HPO code with 5 digits (HP:03002).',
    mutate: (b) => (component(res(b, 'ngc-diagnostic-implication'), '81259-4').valueCodeableConcept.coding[0].code = 'HP:03002'),
  },
];

/** Per-example advice for the guide (the catalogue's fix is the general one). */
export const FIXES: Record<string, string> = {
  'SUB-01': "Set Bundle.type to \"transaction\".",
  'SUB-02': "Add Bundle.identifier with your submission-id system and a value unique per submission.",
  'SUB-03': "Set Bundle.timestamp to the time the Bundle was assembled (check the sending system's clock).",
  'SUB-04': "Send every entry with request.method \"POST\".",
  'SUB-04-2': "Set request.url to the entry's resource type (\"ServiceRequest\").",
  'SUB-05': "Reference the Patient entry by its fullUrl (urn:uuid:...), not by a server id.",
  'SUB-06': "Declare http://ngc.dk/fhir/genomics/StructureDefinition/ngc-organization in meta.profile (it also conforms to DK Core).",
  'SUB-07': "Send one sequencing QC per report; combine the figures in one Observation.",
  'SUB-08': "Reference the second specimen from the report (specimen) and the observations made on it, or leave it out.",
  'SUB-09': "One patient per Bundle: point every subject at the report's Patient, and report the other person separately.",
  'SUB-10': "Flatten the nesting: extensions should not nest more than a few levels.",
  'SUB-11': "Send a corrected report with a new Bundle.identifier (and the same report identifier, REP-04).",
  'SUB-12': "Send reports of the laboratory your client is registered for, or ask NGC to register its SOR code for your client.",
  'SUB-13': "Serialise with a JSON library: each key once, and leave out elements without a value instead of sending null.",
  'PAT-01': "An X-eCPR is 6 digits and 4 upper-case letters or digits (e.g. 120391AB1C); take it from the eCPR service.",
  'PAT-02': "Check the CPR number against the patient's record: 29 February does not exist in 1900.",
  'PAT-02-2': "Send the CPR number as 10 digits without the hyphen (1203914568).",
  'PAT-03': "Check gender against the patient's record (the CPR number says female).",
  'PAT-03-2': "Send Patient.gender.",
  'PAT-04': "Send the birth date the CPR number encodes (1991-03-12), or leave birthDate out.",
  'PAT-05': "Leave out name, telecom, address and photo: the CPR number identifies the patient.",
  'ORG-01': "Use the full SOR code of the unit (11 to 18 digits), as registered in SOR.",
  'ORG-02': "Send the organization's name as registered in SOR.",
  'SRQ-01': "Send intent \"order\".",
  'SRQ-01-2': "Send the order with status \"completed\" (or \"active\").",
  'SRQ-02': "Code the ordered analysis from ngc-analysis-type (here WGS).",
  'SRQ-03': "Add the NGC indication the analysis was requested under (here R03 Hereditary cancer) to reasonCode.",
  'SRQ-04': "Send the date the analysis was ordered; it precedes the report.",
  'SRQ-04-2': "Reference the requesting department's ngc-organization from requester.",
  'SRQ-05': "Research results are reported through the research channel; here use ngc-purpose#diagnostic or no purpose.",
  'SPC-01': "Send the laboratory's specimen id with its system.",
  'SPC-02': "Use one of the SNOMED CT types of ngc-specimen-type (e.g. 258580003 Whole blood sample).",
  'SPC-03': "Check the collection time: a specimen is collected before the analysis it feeds.",
  'SPC-04': "Set Specimen.subject to the Patient entry.",
  'REP-01': "Set DiagnosticReport.code to LOINC 51969-4.",
  'REP-02': "Add the category v2-0074 GE.",
  'REP-03': "Send the report when it is final; corrections go as amended or corrected.",
  'REP-04': "Add the laboratory's report id with its system.",
  'REP-05': "List the analysed specimen(s) in DiagnosticReport.specimen.",
  'REP-06': "issued is when the report was released: on or after effectiveDateTime.",
  'REP-07': "List every variant and diagnostic implication in DiagnosticReport.result.",
  'REP-08': "A report with a pathogenic finding is Positive (LA6576-8).",
  'REP-08-2': "Without a pathogenic or likely pathogenic finding the report is Negative or Inconclusive.",
  'REP-09': "Attach the signed report as application/pdf, or leave presentedForm out.",
  'ANA-00': "Send the sequencing analysis with status final.",
  'ANA-00-2': "Point the analysis at a specimen the report lists, or add that specimen to DiagnosticReport.specimen.",
  'ANA-01': "Report the analysis that was ordered (WGS), or correct the order.",
  'ANA-02': "Align to GRCh38 (LA26806-2); GRCh37 data cannot be stored.",
  'ANA-03': "Add the sequencing-platform component (e.g. \"Illumina NovaSeq 6000\").",
  'ANA-04': "Add the pipeline component.",
  'ANA-05': "Add the pipeline-version component.",
  'ANA-06': "Add the target-regions component with the capture kit and its version.",
  'ANA-07': "Send library-prep as valueString.",
  'ANA-08': "Reference only ngc-data-file DocumentReferences from derivedFrom.",
  'QC-00': "Send the QC Observation with status final.",
  'QC-01': "Re-sequence to at least 30x mean coverage before reporting a germline WGS.",
  'QC-01-2': "Tumour WGS needs 90x; re-sequence the tumour sample.",
  'QC-01-3': "Add the mean-coverage component (required for WGS, WES and PANEL).",
  'QC-02': "At least 90 % of target bases must reach 20x; re-sequence.",
  'QC-03': "At least 80 % of bases must reach Q30; check the run.",
  'QC-04': "Contamination must be at most 2 %; re-extract or re-sequence the sample.",
  'QC-05': "Resolve the sex mismatch (possible sample swap) before reporting.",
  'VAR-00': "Send variants with status final, amended or corrected.",
  'VAR-01': "Add the gene studied (HGNC id and symbol).",
  'VAR-02': "Add the g.HGVS component on the GRCh38 chromosome accession.",
  'VAR-03': "Send one c.HGVS per variant, on the transcript of the transcript component.",
  'VAR-04': "Write the protein change with 3-letter codes: p.Glu23ValfsTer17.",
  'VAR-05': "Use the same versioned transcript in the transcript component and in c.HGVS (NM_007294.4).",
  'VAR-05-2': "Add the transcript component (51958-7) with the accession of the c.HGVS.",
  'VAR-06': "Report LA26806-2 GRCh38 on every variant.",
  'VAR-07': "Lift the variant over to GRCh38 and use NC_000017.11.",
  'VAR-08': "Write the deletion as \"del\": NC_000017.11:g.43124027_43124028del.",
  'VAR-08-2': "Intronic offsets start at 1: c.68+1A>G or c.68A>G.",
  'VAR-09': "Give the range as written in g.HGVS: 43124027-43124028.",
  'VAR-09-2': "Check the coordinates: chromosome 17 has 83,257,441 bases in GRCh38.",
  'VAR-10': "Send the reference and alternate bases of the substitution: C and T.",
  'VAR-11': "Use 1-based character counting (LA30102-0), or leave the component out.",
  'VAR-12': "Add the genomic source class (germline or somatic).",
  'VAR-13': "Add the zygosity of the germline variant (allelic state).",
  'VAR-14': "Send the allele fraction between 0 and 1 (0.38), not per cent.",
  'VAR-15': "Send the read depth as a whole number.",
  'VAR-16': "A deletion is SO:0000159 (deletion).",
  'VAR-17': "Use the ClinVar variation id or the dbSNP rs id.",
  'DIM-00': "Put the classification in the clinical-significance component, not in value[x].",
  'DIM-01': "Point derivedFrom at the variant(s) the implication is about.",
  'DIM-02': "Use one of the five ACMG classes of ngc-acmg-classification.",
  'DIM-03': "Add the phenotype or disease the pathogenic finding explains (HPO, OMIM or Orphanet).",
  'DIM-04': "Use the ACMG/AMP criterion codes (PM1 to PM6).",
  'FIL-01': "Send data files with status current.",
  'FIL-02': "Use a format of ngc-file-format (vcf-4.2, vcf-4.3, gvcf, cram-3.0, cram-3.1, bam, fastq).",
  'FIL-03': "Upload the file to the national storage first and give its URL.",
  'FIL-04': "Write the SHA-256 in lower-case hexadecimal.",
  'FIL-04-2': "Leave attachment.size out or make it equal ngc-file-size.",
  'TERM-01': "Use http://www.genenames.org for HGNC.",
  'TERM-01-2': "Use http://www.sequenceontology.org for Sequence Ontology.",
  'TERM-02': "Send the HGNC id (HGNC:1100) as code and the symbol (BRCA1) as display.",
  'TERM-02-2': "HPO codes have 7 digits: HP:0003002.",
};

// ------------------------------------------------------------------ output

export interface ManifestEntry {
  file: string;
  title: string;
  description: string;
  /** For valid examples: the analysis type. */
  analysisType?: string;
  base?: string;
  rule?: string;
  /** Rule ids the outcome must name (errors and warnings), no more and no less. */
  expectedRules: string[];
  verdict: 'accepted' | 'rejected';
  context: 'bundle' | 'http';
  /** `json`: a Bundle; `text`: raw JSON text that only the intake parser may read (SUB-10, SUB-13). */
  format: 'json' | 'text';
  fix?: string;
}

function stringify(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every file of the examples folder (path relative to it → content). */
export function generateExamples(): Map<string, string> {
  const files = new Map<string, string>();
  const manifest: ManifestEntry[] = [];
  const catalogue = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'profiles', 'data', 'validation-rules.json'), 'utf8')) as { id: string; fix: string }[];
  const fixes = new Map(catalogue.map((r) => [r.id, r.fix]));
  const bundles = new Map<string, Json>();

  for (const spec of VALID_SPECS) {
    const bundle = buildBundle(spec);
    bundles.set(spec.name, bundle);
    const file = `valid/${spec.name}.json`;
    files.set(file, stringify(bundle));
    manifest.push({ file, title: spec.title, description: spec.description, analysisType: spec.analysisType, expectedRules: [], verdict: 'accepted', context: 'bundle', format: 'json' });
  }
  for (const broken of BROKEN) {
    const base = bundles.get(broken.base);
    if (!base) throw new Error(`${broken.id}: no base example ${broken.base}`);
    const bundle = JSON.parse(JSON.stringify(base)) as Json;
    const file = `invalid/${broken.id}.json`;
    if (broken.raw) files.set(file, broken.raw(bundle));
    else {
      broken.mutate?.(bundle);
      files.set(file, stringify(bundle));
    }
    manifest.push({
      file,
      title: `${broken.id}: ${broken.description}`,
      description: broken.description,
      base: `valid/${broken.base}.json`,
      rule: broken.rule,
      expectedRules: [...broken.expect].sort(),
      verdict: broken.verdict,
      context: broken.context ?? 'bundle',
      format: broken.raw ? 'text' : 'json',
      fix: FIXES[broken.id] ?? fixes.get(broken.rule),
    });
  }
  files.set('manifest.json', stringify({ generatedBy: 'scripts/build-examples.ts', examples: manifest }));
  return files;
}

function main(): number {
  const check = process.argv.includes('--check');
  const files = generateExamples();
  let stale = 0;
  for (const [rel, content] of files) {
    const target = path.join(EXAMPLES_DIR, rel);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    stale++;
    if (check) console.error(`stale: ${rel}`);
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  console.log(check ? `${stale} stale of ${files.size} example files` : `wrote ${stale} of ${files.size} example files`);
  return check && stale ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
