/**
 * Renders the implementation guide into a static site, offline: the Markdown pages, one page per
 * profile, extension, value set and code system of the NGC package, the rule catalogue, the
 * examples, the validate page, and the package itself as `package.tgz`. Same inputs, same bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_VALIDATE_MAX_BYTES } from '../constants';
import { DEFAULT_PACKAGE_DIR, REPO_ROOT, loadConformancePackage, type ConformancePackage, type Json } from '../package';
import { artifactFile, artifactsIndexPage, codeSystemPage, createLinker, elementRuleIds, isExtension, structureDefinitionPage, valueSetPage, type ArtifactPageContext } from './artifacts';
import { NAV, page, raw } from './html';
import { createMarkdown } from './markdown';
import { examplePage, exampleFile, examplesIndexPage, parseManifest, rulesPage, type ExampleEntry, type ExampleOutcome, type RuleEntry, type RuleUsage } from './rules-examples';
import { tgz, type TarEntry } from './tar';
import { validatePage } from './validate-page';

export { DEFAULT_VALIDATE_MAX_BYTES };

export interface BuildSiteOptions {
  outDir: string;
  packageDir?: string;
  pagesDir?: string;
  examplesDir?: string;
  rulesFile?: string;
  /** Size limit of the validate endpoint, shown on the validate page. */
  validateMaxBytes?: number;
  /**
   * The gateway's verdict on raw bytes (createSubmissionValidator().validateBytes); when given,
   * each example page shows what the validator answers on it.
   */
  judge?: (body: Buffer, now: Date) => ExampleOutcome;
}

/**
 * The examples are judged at a fixed instant so the guide does not change from day to day; their
 * timestamps lie before it, and the deliberately future ones (SUB-03) far after it.
 */
export const EXAMPLE_JUDGED_AT = new Date('2026-12-01T00:00:00Z');

export interface BuildSiteResult {
  /** Every file written, relative to outDir, sorted. */
  files: string[];
  profiles: number;
  valueSets: number;
  codeSystems: number;
  rules: number;
  examples: number;
  /** Examples whose verdict (with `judge`) differs from the manifest's or misses an expected rule. */
  verdictMismatches: string[];
}

const ASSETS_DIR = path.join(__dirname, 'assets');

/** The FHIR package as an npm-style tarball: every file under `package/`, plus `.index.json`. */
export function packageTarball(pkg: ConformancePackage): Buffer {
  const entries: TarEntry[] = pkg.files.filter((f) => f.name !== '.index.json').map((f) => ({ name: `package/${f.name}`, data: f.bytes }));
  const index = {
    'index-version': 1,
    files: pkg.files
      .filter((f) => f.json && typeof f.json.resourceType === 'string' && f.name !== 'package.json')
      .map((f) => {
        const r = f.json!;
        const entry: Json = { filename: f.name, resourceType: r.resourceType, id: r.id };
        for (const k of ['url', 'version', 'kind', 'type']) if (r[k] !== undefined) entry[k] = r[k];
        return entry;
      }),
  };
  entries.push({ name: 'package/.index.json', data: Buffer.from(JSON.stringify(index, null, 2) + '\n') });
  entries.sort((a, b) => (a.name === 'package/package.json' ? -1 : b.name === 'package/package.json' ? 1 : a.name.localeCompare(b.name)));
  return tgz(entries);
}

function readRules(file: string): RuleEntry[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(data)) throw new Error(`${file}: expected an array of rules`);
  return data as RuleEntry[];
}

function ruleUsage(sds: Json[]): RuleUsage {
  const usage: RuleUsage = new Map();
  for (const sd of sds) {
    const ids = new Set<string>();
    for (const e of (sd.snapshot?.element as Json[] | undefined) ?? []) {
      for (const id of elementRuleIds(e)) ids.add(id);
      for (const c of (e.constraint as Json[] | undefined) ?? []) if (/^[A-Z]+-\d\d$/.test(String(c.key))) ids.add(String(c.key));
    }
    for (const id of ids) usage.set(id, [...(usage.get(id) ?? []), { href: artifactFile(sd), title: String(sd.name ?? sd.id) }]);
  }
  return usage;
}

export function buildSite(options: BuildSiteOptions): BuildSiteResult {
  const igDir = path.join(REPO_ROOT, 'implementation-guide');
  const packageDir = options.packageDir ?? DEFAULT_PACKAGE_DIR;
  const pagesDir = options.pagesDir ?? path.join(igDir, 'pages');
  const examplesDir = options.examplesDir ?? path.join(igDir, 'examples');
  const rulesFile = options.rulesFile ?? path.join(REPO_ROOT, 'profiles', 'data', 'validation-rules.json');
  const out = options.outDir;

  const pkg = loadConformancePackage(packageDir);
  const rules = readRules(rulesFile);
  const manifestFile = path.join(examplesDir, 'manifest.json');
  const examples: ExampleEntry[] = fs.existsSync(manifestFile) ? parseManifest(JSON.parse(fs.readFileSync(manifestFile, 'utf8'))) : [];
  const markdown = createMarkdown();

  const written = new Map<string, Buffer>();
  const put = (name: string, content: string | Buffer): void => {
    if (written.has(name)) throw new Error(`two pages would be written to ${name}`);
    written.set(name, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  };

  // Markdown pages: titles from the menu, other pages from their file name.
  for (const name of fs.existsSync(pagesDir) ? fs.readdirSync(pagesDir).filter((n) => n.endsWith('.md')).sort() : []) {
    const file = name.replace(/\.md$/, '.html');
    const title = NAV.find((n) => n.href === file)?.title ?? name.replace(/\.md$/, '').replace(/-/g, ' ');
    put(file, page({ title, file, body: raw(markdown(fs.readFileSync(path.join(pagesDir, name), 'utf8'))) }));
  }

  const ctx: ArtifactPageContext = { linker: createLinker(pkg.resources), markdown, ruleIds: new Set(rules.map((r) => r.id)) };
  for (const sd of pkg.structureDefinitions) put(artifactFile(sd), structureDefinitionPage(sd, ctx));
  for (const vs of pkg.valueSets) put(artifactFile(vs), valueSetPage(vs, ctx));
  for (const cs of pkg.codeSystems) put(artifactFile(cs), codeSystemPage(cs, ctx));
  for (const f of pkg.files) if (f.json && typeof f.json.resourceType === 'string' && f.name !== 'package.json') put(`${f.json.resourceType}-${f.json.id}.json`, f.bytes);
  put('artifacts.html', artifactsIndexPage(pkg.resources));

  put('rules.html', rulesPage(rules, examples, ruleUsage(pkg.structureDefinitions)));
  put('examples.html', examplesIndexPage(examples));
  const mismatches: string[] = [];
  for (const e of examples) {
    const src = path.join(examplesDir, e.file);
    if (!fs.existsSync(src)) throw new Error(`the examples manifest names ${e.file}, which does not exist`);
    const text = fs.readFileSync(src, 'utf8');
    const download = `examples/${e.file}`;
    put(download, Buffer.from(text, 'utf8'));
    const outcome = options.judge && e.context !== 'http' ? options.judge(Buffer.from(text, 'utf8'), EXAMPLE_JUDGED_AT) : undefined;
    if (outcome) {
      const accepted = !outcome.issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
      const missing = e.expectedRules.filter((id) => !outcome.issues.some((i) => i.rule?.id === id));
      if ((e.verdict === 'accepted') !== accepted || missing.length) {
        mismatches.push(`${e.file}: manifest says ${e.verdict}${e.expectedRules.length ? ` with ${e.expectedRules.join(', ')}` : ''}; the validator ${accepted ? 'accepts it' : 'rejects it'}${missing.length ? `, without ${missing.join(', ')}` : ''}`);
      }
    }
    put(exampleFile(e), examplePage(e, text, download, outcome));
  }

  put('validate.html', validatePage({ maxBytes: options.validateMaxBytes ?? DEFAULT_VALIDATE_MAX_BYTES }));
  put('validate.js', fs.readFileSync(path.join(ASSETS_DIR, 'validate.js')));
  put('style.css', fs.readFileSync(path.join(ASSETS_DIR, 'style.css')));
  put('package.tgz', packageTarball(pkg));

  fs.rmSync(out, { recursive: true, force: true });
  for (const [name, content] of written) {
    const target = path.join(out, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return {
    files: [...written.keys()].sort(),
    profiles: pkg.structureDefinitions.filter((sd) => !isExtension(sd)).length,
    valueSets: pkg.valueSets.length,
    codeSystems: pkg.codeSystems.length,
    rules: rules.length,
    examples: examples.length,
    verdictMismatches: mismatches,
  };
}
