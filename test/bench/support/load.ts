/**
 * What the HTTP benchmarks share: autocannon (typed for the part they use), CPU time from /proc, and
 * the example Bundle's performing laboratory (the client registry must allow its SOR code).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

// autocannon ships no type declarations; this is the part used here.
export const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;

export type BundleJson = Record<string, unknown> & { identifier: { value: string }; entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> };

/**
 * CPU seconds (user + system) used so far by the whole gateway process and by its main thread
 * alone, from /proc: CPU per request is robust to other load on a shared machine, wall-clock
 * throughput is not.
 */
export function cpuSeconds(pid: number): { process: number; main: number } {
  const ticks = (file: string) => {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const rest = fs.readFileSync(file, 'utf8').split(') ').pop()!.split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  };
  return { process: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

/** The SOR code of the organization the Bundle's DiagnosticReport names as performer. */
export function performerSor(b: BundleJson): string {
  const report = b.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource as { performer: Array<{ reference: string }> };
  const org = b.entry.find((e) => e.fullUrl === report.performer[0].reference)!.resource as { identifier: Array<{ value: string }> };
  return org.identifier[0].value;
}

/**
 * The gateway's settings in every HTTP benchmark: its data in `dir`, the client registry at
 * `clientsFile`, no per-client rate limit (one client sends all the load), and the shedding limits
 * the overload phase exercises.
 */
export function benchGatewayEnv(dir: string, port: number, clientsFile: string): Record<string, string> {
  return {
    DATA_DIR: path.join(dir, 'data'),
    PORT: String(port),
    CLIENTS_FILE: clientsFile,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    RATE_LIMIT_PER_SECOND: '0',
    MAX_IN_FLIGHT: '16',
    MAX_QUEUE: '64',
    QUEUE_TIMEOUT_MS: '2000',
    MAX_EVENT_LOOP_LAG_MS: '500',
    LOG_LEVEL: 'warn',
    DELIVERY_POLL_MS: '200',
  };
}
