/**
 * Load shedding. A bounded number of submissions is processed at once, a bounded number waits, and
 * the rest are answered 503 at once; and each client has a token bucket (429). Both answer with
 * Retry-After, so well-behaved senders back off instead of the gateway's memory growing.
 */

export class Overloaded extends Error {
  constructor(readonly retryAfterSec: number) {
    super('the gateway is at capacity');
    this.name = 'Overloaded';
  }
}

export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxQueue: number,
    private readonly queueTimeoutMs: number,
    private readonly onChange: (active: number) => void = () => undefined,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects with Overloaded when full. */
  acquire(): Promise<() => void> {
    if (this.active < this.maxActive) return Promise.resolve(this.grant());
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new Overloaded(1));
    return new Promise((resolve, reject) => {
      const item = {
        grant: () => resolve(this.grant()),
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(item);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new Overloaded(Math.max(1, Math.ceil(this.queueTimeoutMs / 1000))));
        }, this.queueTimeoutMs),
      };
      this.waiting.push(item);
    });
  }

  private grant(): () => void {
    this.active++;
    this.onChange(this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant();
      } else {
        this.onChange(this.active);
      }
    };
  }
}

/**
 * Validation is synchronous CPU work, so when the gateway is saturated the backlog builds up in
 * sockets and in the event loop, where the in-flight gate cannot see it. The event loop's lag
 * (how late a short timer fires) measures that backlog directly: above the limit, new work is
 * refused with 503 until the loop catches up.
 */
export class EventLoopLag {
  private lastLagMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly limitMs: number,
    private readonly intervalMs = 50,
  ) {
    if (limitMs <= 0) return;
    let expected = performance.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLagMs = Math.max(0, now - expected);
      expected = now + intervalMs;
    }, intervalMs);
    this.timer.unref();
  }

  get lagMs(): number {
    return this.lastLagMs;
  }

  overloaded(): boolean {
    return this.limitMs > 0 && this.lastLagMs > this.limitMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A client told to come back after N seconds (503) that sends its next request over the same
 * connection sooner is held until then, at most `maxHoldMs`, and then admitted like any other
 * request, instead of being refused again at once. Refusing is not free (reading the request,
 * answering it), so clients that ignore Retry-After would otherwise keep the main thread busy
 * refusing them and starve the submissions it has admitted; a held request costs a timer and its
 * socket.
 *
 * Held per connection and client, not per client: a region's system sends over several
 * connections at once, and holding all of them for one refusal left the gateway idle while the
 * refused senders waited (bench:http's 400-connection phase: half the CPU idle, a third of the
 * accepted submissions a second that the gateway manages without overload). Behind a proxy that
 * pools its connections to the gateway, another client's request on a held connection is not held.
 * The record goes with the connection (a WeakMap), so nothing needs pruning.
 */
export class RetryAfterHold {
  private readonly until = new WeakMap<object, { clientId: string; at: number }>();

  constructor(
    private readonly maxHoldMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  refused(connection: object, clientId: string, retryAfterSec: number): void {
    if (this.maxHoldMs <= 0) return;
    this.until.set(connection, { clientId, at: this.now() + retryAfterSec * 1000 });
  }

  /** How long to hold this client's new request on this connection (0: not at all). */
  holdMs(connection: object, clientId: string): number {
    const u = this.until.get(connection);
    if (u === undefined || u.clientId !== clientId) return 0;
    const left = u.at - this.now();
    if (left <= 0) {
      this.until.delete(connection);
      return 0;
    }
    return Math.min(left, this.maxHoldMs);
  }
}

/** Per-key token buckets: `ratePerSecond` sustained, `burst` at once. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when allowed (a token is taken); otherwise the seconds to wait before the next token. */
  take(key: string): number {
    if (this.ratePerSecond <= 0) return 0;
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
      if (this.buckets.size > 10_000) this.prune(t);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }

  /** Full buckets carry no information: dropping them bounds memory whatever the number of keys. */
  private prune(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(k);
    }
  }
}
