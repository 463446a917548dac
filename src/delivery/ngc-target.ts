/**
 * The client of the National Genome Database: one FHIR transaction per submission through
 * fhir-kit-client, which has no timeout or retry of its own and throws on non-2xx. Here each send
 * gets a timeout and every failure becomes a DeliveryError that says whether a retry makes sense;
 * the retrying itself is the worker's.
 */
import type { Bundle, BundleEntry, OperationOutcome } from 'fhir/r4';
import { parseRetryAfter } from './backoff';
import { DeliveryError, isRetryableStatus, type DeliveryResult, type NgcDatabaseTarget } from './types';

export interface NgcDatabaseTargetOptions {
  /** Per send, including reading the answer. */
  timeoutMs?: number;
  /** Extra headers (an Authorization header for the database, for instance). */
  headers?: Record<string, string>;
}

type FhirKitModule = typeof import('fhir-kit-client', { with: { 'resolution-mode': 'import' } });
let fhirKit: Promise<FhirKitModule> | undefined;

/**
 * fhir-kit-client is ESM-only (its package exports have an `import` condition only).
 * - tsc (node16, CommonJS output) keeps `import()` as a real dynamic import: works on Node 20.
 * - jest (SWC) turns it into `require`, which jest.config.js maps to the package's dist and
 *   transforms: works there, where a real import() would need --experimental-vm-modules.
 * - @swc-node/register (scripts, test child processes) also turns it into `require`, which Node
 *   refuses (no `require` export). For that case alone the import is retried through a Function,
 *   which no transpiler rewrites.
 */
function loadFhirKit(): Promise<FhirKitModule> {
  fhirKit ??= import('fhir-kit-client').catch((err: unknown) => {
    const code = (err as { code?: string })?.code;
    if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'ERR_REQUIRE_ESM') throw err;
    const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<FhirKitModule>;
    return nativeImport('fhir-kit-client');
  });
  return fhirKit;
}

interface FhirKitError extends Error {
  response?: { status: number; data?: unknown };
  config?: { headers?: Headers | Record<string, string> };
}

function header(headers: Headers | Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string>;
  return rec[name] ?? rec[name.toLowerCase()];
}

/** CPR-like digit runs are cut from anything the database says back before it is kept or shown. */
export function redactCpr(text: string): string {
  return text.replace(/\b\d{6}-?\d{4}\b/g, '[redacted]');
}

/** A short, safe summary of an error answer (OperationOutcome diagnostics), for operators. */
function describeAnswer(data: unknown): string {
  const oo = data as OperationOutcome | undefined;
  if (oo && oo.resourceType === 'OperationOutcome' && Array.isArray(oo.issue)) {
    const parts = oo.issue
      .map((i) => [i.severity, i.code, i.details?.text ?? i.diagnostics].filter(Boolean).join(' '))
      .filter(Boolean);
    return redactCpr(parts.join('; ')).slice(0, 1000);
  }
  return '';
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const MAX_SUMMARY_ENTRIES = 500;

/** Summary of a transaction-response: per entry its status and location, never resources. */
export function summariseResponse(sent: Bundle, answer: unknown, httpStatus: number): DeliveryResult {
  const entries = ((answer as Bundle | undefined)?.entry ?? []).map((e: BundleEntry) => ({
    status: e.response?.status,
    location: e.response?.location,
  }));
  const reportIndex = (sent.entry ?? []).findIndex((e) => e.resource?.resourceType === 'DiagnosticReport');
  const location = entries[reportIndex >= 0 ? reportIndex : 0]?.location;
  // A Bundle may have 20,000 entries (SUB-10); the record keeps the first ones and the count.
  const body = entries.length > MAX_SUMMARY_ENTRIES
    ? { entries: entries.slice(0, MAX_SUMMARY_ENTRIES), entryCount: entries.length }
    : { entries };
  const result: DeliveryResult = { status: httpStatus, body };
  if (location) result.location = location;
  return result;
}

export function createNgcDatabaseTarget(baseUrl: string, options: NgcDatabaseTargetOptions = {}): NgcDatabaseTarget {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`NGC_DATABASE_URL is not a valid URL: '${baseUrl}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`NGC_DATABASE_URL must be an http(s) URL, not '${url.protocol}'`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = { ...options.headers };
  // fetch refuses URLs with credentials in them: user:password@ becomes a Basic Authorization header
  // (and never appears in the description that goes to logs).
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization ??= `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const base = url.href.replace(/\/+$/, '');
  let client: InstanceType<FhirKitModule['Client']> | undefined;

  return {
    description: `National Genome Database at ${url.origin}${url.pathname}`,
    timeoutMs,
    async deliver(submissionId: string, transaction: Buffer, signal?: AbortSignal): Promise<DeliveryResult> {
      // fhir-kit-client takes the Bundle as an object (it serialises it for the request).
      const bundle = JSON.parse(transaction.toString('utf8')) as Bundle;
      if (!client) {
        const { Client } = await loadFhirKit();
        client = new Client({ baseUrl: base, customHeaders: headers });
      }
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const answer = await client.transaction({
          body: bundle as unknown as Parameters<InstanceType<FhirKitModule['Client']>['transaction']>[0]['body'],
          options: {
            signal: controller.signal,
            // The answer is only summarised; asking for minimal representations keeps resources
            // (and the CPR numbers in them) off the wire back.
            headers: { prefer: 'return=minimal', 'x-request-id': submissionId },
          },
        });
        const { Client } = await loadFhirKit();
        const status = Client.httpFor(answer).response?.status ?? 200;
        return summariseResponse(bundle, answer, status);
      } catch (err) {
        const status = (err as FhirKitError)?.response?.status;
        // A 2xx whose body is not JSON: the database took the Bundle, only the parsing failed.
        if (!timedOut && typeof status === 'number' && status >= 200 && status < 300) return { status };
        throw toDeliveryError(err, timedOut, timeoutMs);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

function toDeliveryError(err: unknown, timedOut: boolean, timeoutMs: number): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as FhirKitError;
  if (timedOut) {
    return new DeliveryError(`no answer within ${timeoutMs} ms`, { kind: 'timeout', retryable: true, cause: err });
  }
  if (e?.response && typeof e.response.status === 'number') {
    const status = e.response.status;
    const said = describeAnswer(e.response.data);
    const retryAfterMs = parseRetryAfter(header(e.config?.headers, 'retry-after'));
    return new DeliveryError(`HTTP ${status} from the National Genome Database${said ? `: ${said}` : ''}`, {
      kind: 'http',
      status,
      retryAfterMs,
      retryable: isRetryableStatus(status),
      cause: err,
    });
  }
  if ((err as Error)?.name === 'AbortError') {
    return new DeliveryError('send aborted (gateway stopping)', { kind: 'network', retryable: true, cause: err });
  }
  const code = causeCode(err);
  return new DeliveryError(`network error${code ? ` (${code})` : ''}: ${(err as Error)?.message ?? String(err)}`, {
    kind: 'network',
    retryable: true,
    cause: err,
  });
}
