import type { Server } from 'node:http';

export interface FakeControl {
  mode: 'ok' | 'fail' | 'slow' | 'drop-after-commit' | 'commit-then-slow';
  /** For 'fail': the HTTP status to answer (default 503). */
  status?: number;
  /** For 'fail': the Retry-After header value (seconds or an HTTP-date). */
  retryAfter?: string | number;
  /** For 'slow' and 'commit-then-slow': how long to wait before answering. */
  delayMs?: number;
  /** Applies to this many FHIR requests, then back to 'ok'. Unset: until changed. */
  times?: number;
}

export interface FakeNgcDatabase {
  /** FHIR base URL (loopback, random port). */
  url: string;
  pid: number;
  port: number;
  control(c: FakeControl): Promise<unknown>;
  reset(): Promise<unknown>;
  /** Stored resources carrying `system|value` (optionally of one type). */
  count(identifier: string, type?: string): Promise<number>;
  /** Transactions received (stored or not) that carried `system|value`. */
  received(identifier: string): Promise<number>;
  stats(): Promise<{ transactions: number; resources: number; requests: number }>;
  resources(type?: string): Promise<Array<Record<string, unknown> & { resourceType: string; id: string }>>;
  /** SIGKILLs the process. */
  stop(): Promise<void>;
}

export function startFakeNgcDatabase(options?: { stateFile?: string; port?: number }): Promise<FakeNgcDatabase>;
export function createFakeServer(options?: { stateFile?: string }): Server;
