/**
 * `ngc-gateway validate`: the gateway's verdict on local files, so that an integrator gets the same
 * answer as `POST /fhir` (submission mode, the default) or as `$validate` on a plain resource
 * (`--resource`). Definitions load once; many files are validated in one process.
 *
 * Exit status: 0 every file valid, 1 some file invalid, 2 bad usage or unreadable input.
 */
import * as fs from 'node:fs';
import { hasBlockingIssues, operationOutcome, type ValidationIssue } from '../validation';
import type { Validator } from '../validation/validator-types';

type Format = 'text' | 'json' | 'ndjson';

interface Options {
  resourceMode: boolean;
  packages: string[];
  profiles: string[];
  format: Format;
  files: string[];
}

class UsageError extends Error {}

export const VALIDATE_USAGE = `usage: ngc-gateway validate [--resource] [--package DIR]... [--profile URL]... [--format text|json|ndjson] FILE...

Validates FHIR R4 JSON files and prints every issue found.

  (default)          judge each file as POST /fhir judges a submission: intake guard,
                     FHIR R4 + NGC profiles, NGC rules (not SUB-11/SUB-12, which need a client)
  --resource         validate each file as a plain FHIR R4 resource: base specification,
                     the profiles in meta.profile and --profile
  --package DIR      also load this FHIR package (folder or .tgz); may be repeated
  --profile URL      also validate against this profile (canonical URL); may be repeated
  --format FORMAT    text (default, for people), json (the OperationOutcome(s)),
                     ndjson (one {"file","valid","outcome"} line per file)

Exit status: 0 all valid, 1 some invalid, 2 bad usage or unreadable input.
`;

function parseArgs(args: string[]): Options | 'help' {
  const opts: Options = { resourceMode: false, packages: [], profiles: [], format: 'text', files: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): string => {
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq !== -1) return arg.slice(eq + 1);
      const next = args[++i];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--resource':
        opts.resourceMode = true;
        break;
      case '--package':
        opts.packages.push(value());
        break;
      case '--profile':
        opts.profiles.push(value());
        break;
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'ndjson') throw new UsageError(`unknown format '${f}' (text, json or ndjson)`);
        opts.format = f;
        break;
      }
      case '--':
        opts.files.push(...args.slice(i + 1));
        i = args.length;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        opts.files.push(arg);
    }
  }
  if (!opts.files.length) throw new UsageError('no FILE given');
  return opts;
}

function checkReadable(file: string): void {
  if (file === '-') return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  if (!stat.isFile()) throw new UsageError(`cannot read '${file}': not a file`);
}

function readInput(file: string): Buffer {
  try {
    return file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read '${file}': ${(err as Error).message}`);
  }
}

/** Plain-resource mode reads any JSON; a file that is not JSON is an invalid result, not a crash. */
function parseResourceFile(buffer: Buffer): { value?: unknown; issues: ValidationIssue[] } {
  const text = buffer.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return { value: JSON.parse(text), issues: [] };
  } catch (err) {
    return {
      issues: [{ severity: 'fatal', code: 'structure', messageId: 'NOT_JSON', diagnostics: `The file is not valid JSON: ${(err as Error).message}` }],
    };
  }
}

type SubmissionJudge = import('../submission').SubmissionValidator;

/**
 * THE mode switch. Submission mode judges exactly as `POST /fhir` does, through the same glue
 * (src/submission: intake guard on the bytes, TERM-01 normalisation, FHIR R4 + NGC profiles, NGC
 * business rules; SUB-11/SUB-12 need a client and stay with the HTTP layer). `--resource` is the
 * plain engine, as `$validate` on a resource.
 */
function judge(validator: Validator, submission: SubmissionJudge | undefined, opts: Options, buffer: Buffer): ValidationIssue[] {
  if (opts.resourceMode || !submission) {
    const parsed = parseResourceFile(buffer);
    if (parsed.value === undefined) return parsed.issues;
    return validator.validate(parsed.value, { profiles: opts.profiles });
  }
  const verdict = submission.validateBytes(buffer);
  if (!opts.profiles.length || !verdict.bundle) return verdict.issues;
  // --profile in submission mode: what the extra profiles add, without repeating what is already said.
  const said = new Set(verdict.issues.map((i) => `${i.severity}|${i.expression ?? ''}|${i.diagnostics}`));
  const extra = validator.validate(verdict.bundle, { profiles: opts.profiles }).filter((i) => !said.has(`${i.severity}|${i.expression ?? ''}|${i.diagnostics}`));
  return [...verdict.issues, ...extra];
}

const COLOURS = { error: '\x1b[31m', fatal: '\x1b[31m', warning: '\x1b[33m', information: '\x1b[36m', bold: '\x1b[1m', dim: '\x1b[2m', green: '\x1b[32m', reset: '\x1b[0m' };

function useColour(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!process.stdout.isTTY;
}

function textReport(file: string, issues: ValidationIssue[], colour: boolean): string {
  const c = (name: keyof typeof COLOURS, s: string) => (colour ? COLOURS[name] + s + COLOURS.reset : s);
  const count = (sev: string[]) => issues.filter((i) => sev.includes(i.severity)).length;
  const errors = count(['error', 'fatal']);
  const warnings = count(['warning']);
  const infos = count(['information']);
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`, `${warnings} warning${warnings === 1 ? '' : 's'}`, `${infos} information`];
  const lines = [errors ? `${c('error', '✗ INVALID')} ${c('bold', file)}: ${parts.join(', ')}` : `${c('green', '✓ valid')}   ${c('bold', file)}: ${parts.join(', ')}`];
  const outcome = operationOutcome(issues);
  // operationOutcome sorts most severe first: print one group per severity.
  let current: string | undefined;
  for (const issue of outcome.issue) {
    if (!issues.length) break;
    if (issue.severity !== current) {
      current = issue.severity;
      lines.push(`  ${c(current as keyof typeof COLOURS, current.toUpperCase())}`);
    }
    const where = issue.expression?.[0] ? c('bold', issue.expression[0]) : c('dim', '(whole file)');
    const rule = issue.details?.coding?.[0]?.code;
    lines.push(`    ${where} ${c('dim', `[${issue.code}${rule ? `, rule ${rule}` : ''}]`)}`);
    lines.push(`      ${issue.diagnostics ?? ''}`);
    if (rule && issue.details?.text) lines.push(`      ${c('dim', `${rule}: ${issue.details.text}`)}`);
  }
  return lines.join('\n') + '\n';
}

export async function run(args: string[]): Promise<number> {
  let opts: Options;
  try {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      process.stdout.write(VALIDATE_USAGE);
      return 0;
    }
    opts = parsed;
    for (const file of opts.files) checkReadable(file);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ngc-gateway validate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  let validator: Validator;
  let submission: SubmissionJudge | undefined;
  try {
    const { createValidator } = require('../validation') as typeof import('../validation');
    const engine = createValidator({ packages: opts.packages });
    // the same start-up as `serve` (and `npm run bench`, whose first-validation figure is this
    // command's): the report's types are compiled before the first file
    engine.warmUp();
    validator = engine;
    if (!opts.resourceMode) {
      // Loaded only in submission mode, so that --resource never needs the NGC rules or the HTTP intake.
      const { createSubmissionValidator } = require('../submission') as typeof import('../submission');
      submission = createSubmissionValidator({ validator });
    }
  } catch (err) {
    process.stderr.write(`ngc-gateway validate: cannot load the definitions: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }

  const colour = opts.format === 'text' && useColour();
  const jsonOutcomes: unknown[] = [];
  let invalid = 0;
  for (const file of opts.files) {
    let issues: ValidationIssue[];
    try {
      issues = judge(validator, submission, opts, readInput(file));
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`ngc-gateway validate: ${err.message}\n`);
        return 2;
      }
      // An engine failure on one file is reported as that file's result, never as a stack trace.
      issues = [{ severity: 'fatal', code: 'exception', messageId: 'VALIDATOR_FAILURE', diagnostics: `The validator failed on this file: ${(err as Error).message}` }];
    }
    const valid = !hasBlockingIssues(issues);
    if (!valid) invalid++;
    const outcome = operationOutcome(issues, { allOkText: 'All OK' });
    if (opts.format === 'ndjson') process.stdout.write(JSON.stringify({ file, valid, outcome }) + '\n');
    else if (opts.format === 'json') jsonOutcomes.push(outcome);
    else process.stdout.write(textReport(file, issues, colour));
  }
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify(jsonOutcomes.length === 1 ? jsonOutcomes[0] : jsonOutcomes, null, 2) + '\n');
  } else if (opts.format === 'text' && opts.files.length > 1) {
    process.stdout.write(`\n${opts.files.length} files: ${opts.files.length - invalid} valid, ${invalid} invalid\n`);
  }
  return invalid ? 1 : 0;
}
