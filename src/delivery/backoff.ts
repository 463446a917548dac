/** Retry timing: exponential backoff with full jitter, and the database's own Retry-After. */

export interface BackoffOptions {
  /** Delay cap for the first retry, in ms. */
  baseDelayMs: number;
  /** No retry waits longer than this (also caps Retry-After). */
  maxDelayMs: number;
}

/**
 * Full jitter (a uniformly random delay between 0 and the exponential cap): many gateway instances
 * retrying against a database that just came back do not hit it in lockstep.
 * `attempt` is the number of attempts already made (1 after the first failure).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * exp);
}

/** Retry-After as delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
