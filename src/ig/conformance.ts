/**
 * The NGC conformance resources, read-only, as FHIR: `GET /fhir/StructureDefinition`,
 * `/fhir/ValueSet`, `/fhir/CodeSystem` (search by `url`, `_id`, `name`, `version`; a searchset
 * Bundle) and `GET /fhir/<type>/<id>`. They hold no personal data, so no token is needed: the
 * same content is published in the guide and in /ig/package.tgz.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Bundle, CapabilityStatementRestResource, FhirResource, OperationOutcome } from 'fhir/r4';
import { operationOutcome, singleIssueOutcome } from '../validation/outcome';
import type { IssueType } from '../validation/issue';
import { loadConformancePackage, type Json } from './package';

export const CONFORMANCE_TYPES = ['StructureDefinition', 'ValueSet', 'CodeSystem'] as const;
export type ConformanceType = (typeof CONFORMANCE_TYPES)[number];

export interface ConformanceRouterOptions {
  /** The package folder; default profiles/package. */
  packageDir?: string;
  /** Or the resources themselves (tests, or a caller that loaded the package already). */
  resources?: Json[];
  /** Public base URL (no trailing slash) for fullUrl and links; else derived from the request. */
  publicBaseUrl?: string;
}

const FHIR_JSON_UTF8 = 'application/fhir+json; charset=utf-8';
const SEARCH_PARAMS = new Set(['url', '_id', 'name', 'version']);
/** Parameters that change the form, not the result: accepted and not used for matching. */
const FORMAT_PARAMS = new Set(['_format', '_pretty', '_summary', '_count']);

function sendJson(res: Response, status: number, body: object, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', FHIR_JSON_UTF8);
  res.end(JSON.stringify(body));
}

function sendError(res: Response, status: number, code: IssueType, diagnostics: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, singleIssueOutcome('error', code, diagnostics), headers);
}

function baseOf(req: Request, configured?: string): string {
  return configured ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function values(q: unknown): string[] {
  if (q === undefined) return [];
  return (Array.isArray(q) ? q : [q]).flatMap((v) => String(v).split(','));
}

/** FHIR string search (`name`) matches case-insensitively from the start; uri/token match exactly. */
function matches(r: Json, param: string, wanted: string[]): boolean {
  switch (param) {
    case 'url':
      return wanted.some((w) => {
        const [url, version] = w.split('|');
        return r.url === url && (version === undefined || r.version === version);
      });
    case '_id':
      return wanted.includes(String(r.id));
    case 'version':
      return wanted.includes(String(r.version));
    case 'name':
      return wanted.some((w) => String(r.name ?? '').toLowerCase().startsWith(w.toLowerCase()));
    default:
      return false;
  }
}

export function createConformanceRouter(options: ConformanceRouterOptions = {}): Router {
  let byType: Map<string, Json[]> | undefined;
  // Loaded on first use: an app built for a test that never asks pays nothing.
  const resources = (): Map<string, Json[]> => {
    if (!byType) {
      const all = options.resources ?? loadConformancePackage(options.packageDir).resources;
      byType = new Map(CONFORMANCE_TYPES.map((t) => [t, all.filter((r) => r.resourceType === t)]));
    }
    return byType;
  };

  const router = express.Router({ caseSensitive: true });
  for (const type of CONFORMANCE_TYPES) {
    router
      .route(`/${type}`)
      .get((req, res) => {
        const issues: Array<{ severity: 'warning'; code: IssueType; diagnostics: string }> = [];
        const used: Array<[string, string[]]> = [];
        for (const [name, raw] of Object.entries(req.query)) {
          if (FORMAT_PARAMS.has(name)) continue;
          const base = name.split(':')[0];
          if (!SEARCH_PARAMS.has(base) || base !== name) {
            issues.push({ severity: 'warning', code: 'not-supported', diagnostics: `search parameter '${name.slice(0, 60)}' is not supported and was ignored (supported: url, _id, name, version)` });
            continue;
          }
          used.push([name, values(raw)]);
        }
        const hits = (resources().get(type) ?? []).filter((r) => used.every(([p, w]) => matches(r, p, w)));
        const base = baseOf(req, options.publicBaseUrl);
        const self = new URL(`${base}/fhir/${type}`);
        for (const [p, w] of used) self.searchParams.append(p, w.join(','));
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'searchset',
          total: hits.length,
          link: [{ relation: 'self', url: self.toString() }],
          entry: hits.map((r) => ({ fullUrl: `${base}/fhir/${type}/${r.id}`, resource: r as FhirResource, search: { mode: 'match' } })),
        };
        if (issues.length) {
          const outcome: OperationOutcome = operationOutcome(issues);
          bundle.entry!.push({ resource: outcome, search: { mode: 'outcome' } });
        }
        sendJson(res, 200, bundle);
      })
      .all((req, res) => sendError(res, 405, 'not-supported', `the conformance resources are read-only: ${req.method} is not supported (allowed: GET)`, { Allow: 'GET' }));
    router
      .route(`/${type}/:id`)
      .get((req, res) => {
        const id = String(req.params.id);
        const found = (resources().get(type) ?? []).find((r) => r.id === id);
        if (!found) return sendError(res, 404, 'not-found', `no ${type} with id '${id.slice(0, 64)}' in the NGC package`);
        sendJson(res, 200, found);
      })
      .all((req, res) => sendError(res, 405, 'not-supported', `the conformance resources are read-only: ${req.method} is not supported (allowed: GET)`, { Allow: 'GET' }));
  }
  return router;
}

/**
 * The CapabilityStatement entries for these routes (for `rest[0].resource`): read and search by
 * url/_id/name/version, and why no token is needed.
 */
export function conformanceCapabilityResources(): CapabilityStatementRestResource[] {
  return CONFORMANCE_TYPES.map((type) => ({
    type,
    documentation: `The NGC package's ${type} resources, read-only. Public: no access token is needed, because conformance resources hold no personal data (the same content is in /ig/package.tgz).`,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      { name: 'url', type: 'uri', documentation: 'canonical URL, optionally with |version' },
      { name: '_id', type: 'token' },
      { name: 'name', type: 'string' },
      { name: 'version', type: 'token' },
    ],
  }));
}
