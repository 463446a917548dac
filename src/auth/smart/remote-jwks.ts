/**
 * Fetches the key sets of clients registered with a `jwksUri`. Only URLs that come from the
 * registry reach this module (callers pass a RegisteredClient, never request data), and every fetch
 * is bounded in time and size: a slow or huge answer from a client's server must not tie up the
 * gateway.
 */
import type { AuthLogger } from './logger';
import { checkPublicJwk, type PublicJwk } from './registry';

export interface RemoteJwksOptions {
  /** Whole fetch, headers and body. */
  timeoutMs?: number;
  /** Largest accepted body, in bytes. */
  maxBytes?: number;
  /** Plain-http URLs (development only). */
  allowHttp?: boolean;
  /** Cache lifetime when the server sends no usable `Cache-Control: max-age`. */
  defaultMaxAgeSec?: number;
  /** Bounds on the server's max-age, so a client can neither force a fetch per request nor pin a key for ever. */
  minMaxAgeSec?: number;
  maxMaxAgeSec?: number;
  /** A key id not in the cached set triggers a refetch, but not more often than this. */
  refetchCooldownMs?: number;
  logger?: AuthLogger;
}

export class RemoteJwksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteJwksError';
  }
}

interface CacheEntry {
  keys: PublicJwk[];
  fetchedAt: number;
  expiresAt: number;
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Number(m[1]) : undefined;
}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new RemoteJwksError(`key set larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export class RemoteJwksCache {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<CacheEntry>>();
  private readonly o: Required<Omit<RemoteJwksOptions, 'logger'>> & { logger?: AuthLogger };

  constructor(options: RemoteJwksOptions = {}) {
    this.o = {
      timeoutMs: options.timeoutMs ?? 5000,
      maxBytes: options.maxBytes ?? 64 * 1024,
      allowHttp: options.allowHttp ?? false,
      defaultMaxAgeSec: options.defaultMaxAgeSec ?? 600,
      minMaxAgeSec: options.minMaxAgeSec ?? 60,
      maxMaxAgeSec: options.maxMaxAgeSec ?? 86400,
      refetchCooldownMs: options.refetchCooldownMs ?? 30_000,
      logger: options.logger,
    };
  }

  /** Drops every cached set whose URL is not in `keep` (after a registry reload). */
  retainOnly(keep: Set<string>): void {
    for (const uri of this.cache.keys()) if (!keep.has(uri)) this.cache.delete(uri);
  }

  /**
   * The key set at `uri`, from the cache while fresh. `missingKid` asks for a refetch when the cached
   * set lacks that key (the client rotated), rate-limited by the cool-down.
   */
  async get(uri: string, missingKid?: string): Promise<PublicJwk[]> {
    const now = Date.now();
    const entry = this.cache.get(uri);
    if (entry && now < entry.expiresAt) {
      const lacksKid = missingKid !== undefined && !entry.keys.some((k) => k.kid === missingKid);
      if (!lacksKid || now - entry.fetchedAt < this.o.refetchCooldownMs) return entry.keys;
    }
    let pending = this.inFlight.get(uri);
    if (!pending) {
      pending = this.fetchSet(uri).finally(() => this.inFlight.delete(uri));
      this.inFlight.set(uri, pending);
    }
    const fresh = await pending;
    this.cache.set(uri, fresh);
    return fresh.keys;
  }

  private async fetchSet(uri: string): Promise<CacheEntry> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new RemoteJwksError('registered jwksUri is not a URL');
    }
    if (url.protocol !== 'https:' && !(this.o.allowHttp && url.protocol === 'http:')) {
      throw new RemoteJwksError(`refusing to fetch a key set over ${url.protocol.replace(':', '')}`);
    }
    const signal = AbortSignal.timeout(this.o.timeoutMs);
    let body: Buffer;
    let cacheControl: string | null;
    try {
      // redirect 'error': a redirect could lead the gateway to a URL nobody registered.
      const res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/jwk-set+json, application/json' } });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new RemoteJwksError(`key set server answered HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > this.o.maxBytes) {
        await res.body?.cancel().catch(() => {});
        throw new RemoteJwksError(`key set larger than ${this.o.maxBytes} bytes`);
      }
      cacheControl = res.headers.get('cache-control');
      body = await readLimited(res.body, this.o.maxBytes);
    } catch (err) {
      if (err instanceof RemoteJwksError) throw err;
      if (signal.aborted) throw new RemoteJwksError(`key set not received within ${this.o.timeoutMs} ms`);
      throw new RemoteJwksError(`key set could not be fetched (${(err as Error).message})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RemoteJwksError('key set is not JSON');
    }
    const keys = (data as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) throw new RemoteJwksError('key set has no "keys" array');
    // Unusable or private keys are skipped, not fatal: a set may also hold keys for other purposes.
    const usable = keys.filter(
      (k): k is PublicJwk =>
        typeof k === 'object' && k !== null && (k.kty === 'EC' || k.kty === 'RSA') && !('d' in k) && checkPublicJwk(k as PublicJwk) === undefined,
    );
    const maxAge = Math.min(Math.max(maxAgeOf(cacheControl) ?? this.o.defaultMaxAgeSec, this.o.minMaxAgeSec), this.o.maxMaxAgeSec);
    const now = Date.now();
    this.o.logger?.info({ jwksUri: uri, keys: usable.length, maxAgeSec: maxAge }, 'fetched a client key set');
    return { keys: usable, fetchedAt: now, expiresAt: now + maxAge * 1000 };
  }
}
