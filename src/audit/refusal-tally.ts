/**
 * Flow-control refusals (429 throttled, 503 at capacity or not ready) are counted, not written one
 * by one. Under overload a client that ignores Retry-After comes straight back; an AuditEvent per
 * refusal would cost a database write each, so the gateway would do more work the more it is
 * overloaded and starve the submissions it did admit. Each interval, every (client, status) count
 * becomes one AuditEvent: every refusal is still accounted for, only grouped.
 */
import type { AuditEventInput } from './events';

export interface FlowRefusal {
  status: number;
  at: Date;
  clientId?: string;
  ip?: string;
}

interface Tally {
  status: number;
  clientId?: string;
  ips: Set<string>;
  count: number;
  first: Date;
  last: Date;
}

/** Statuses that tell a client to come back later rather than judging what it sent. */
export const FLOW_CONTROL_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Enough addresses to recognise a client; a flood from many stays one bounded record. */
const MAX_IPS = 4;

export class RefusalTally {
  private readonly tallies = new Map<string, Tally>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (events: AuditEventInput[]) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  add(r: FlowRefusal): void {
    const key = `${r.status} ${r.clientId ?? ''}`;
    let t = this.tallies.get(key);
    if (!t) {
      t = { status: r.status, clientId: r.clientId, ips: new Set(), count: 0, first: r.at, last: r.at };
      this.tallies.set(key, t);
    }
    t.count++;
    if (r.at < t.first) t.first = r.at;
    if (r.at > t.last) t.last = r.at;
    if (r.ip && t.ips.size < MAX_IPS) t.ips.add(r.ip);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
      // Shutdown flushes what is pending (AuditService.close); the timer must not hold the process.
      this.timer.unref();
    }
  }

  /** Writes one AuditEvent per pending (client, status) and forgets them. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = [...this.tallies.values()].map(eventOf);
    this.tallies.clear();
    if (events.length) await this.write(events);
  }
}

function eventOf(t: Tally): AuditEventInput {
  const ips = [...t.ips];
  return {
    kind: 'submission',
    at: t.first,
    outcome: t.status >= 500 ? '8' : '4',
    outcomeDesc:
      t.count === 1
        ? `refused with HTTP ${t.status}`
        : `refused with HTTP ${t.status}, ${t.count} times from ${t.first.toISOString()} to ${t.last.toISOString()}${ips.length > 1 ? ` (from ${ips.join(', ')})` : ''}`,
    agent: { kind: t.clientId ? 'client' : 'unknown', id: t.clientId, ip: ips.length === 1 ? ips[0] : undefined },
  };
}
