/**
 * Stops hammering a National Genome Database that is down: after `failureThreshold` consecutive
 * failed sends the circuit opens and nothing is sent for `cooldownMs`; then one probe is let
 * through (half-open). Its success closes the circuit, its failure opens it for another cool-down.
 * Shared by all concurrent deliveries of one worker.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) this.transition('half-open');
    return this.state;
  }

  /** Milliseconds until a probe may be sent (0 when sending is allowed now). */
  waitMs(): number {
    const state = this.current;
    if (state === 'closed') return 0;
    if (state === 'half-open') return this.probeInFlight ? this.options.cooldownMs : 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.now());
  }

  /** How many sends may start now, given how many are wanted. */
  permits(wanted: number): number {
    const state = this.current;
    if (state === 'closed') return wanted;
    if (state === 'half-open' && !this.probeInFlight) return Math.min(1, wanted);
    return 0;
  }

  /** Call when a send starts; in half-open it is the probe. */
  onStart(): void {
    if (this.current === 'half-open') this.probeInFlight = true;
  }

  /** The database answered (2xx, or a final 4xx): it is up. */
  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.state !== 'closed') this.transition('closed');
  }

  /** Network error, timeout, 5xx or 429. */
  onFailure(): void {
    this.failures += 1;
    const wasProbe = this.state === 'half-open';
    this.probeInFlight = false;
    if (wasProbe || (this.state === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: BreakerState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onStateChange?.(state);
  }
}
