/**
 * Prometheus metrics of the gateway, on a registry of its own (not prom-client's global one) so
 * that several apps in one process (tests) do not collide. The delivery worker reports into the same
 * object through `recordDeliveryAttempt`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type SubmissionVerdict = 'accepted' | 'rejected' | 'duplicate' | 'conflict' | 'forbidden' | 'invalid-request';

export interface GatewayMetrics {
  readonly registry: Registry;
  countSubmission(verdict: SubmissionVerdict): void;
  /** One count per issue of a checked submission, labelled by rule id (or FHIR issue type) and severity. */
  countIssue(rule: string, severity: string): void;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  recordDeliveryAttempt(outcome: 'delivered' | 'retry' | 'failed', seconds?: number): void;
  /** Where the outbox depth comes from; read at scrape time. */
  setOutboxDepthSource(source: () => Promise<number>): void;
  setValidationsInFlight(n: number): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'ngc_gateway_' });

  const submissions = new Counter({
    name: 'ngc_submissions_total',
    help: 'Submissions answered, by verdict',
    labelNames: ['verdict'],
    registers: [registry],
  });
  const issues = new Counter({
    name: 'ngc_submission_issues_total',
    help: 'Issues found in submissions, by rule id (or FHIR issue type) and severity',
    labelNames: ['rule', 'severity'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ngc_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'ngc_delivery_attempts_total',
    help: 'Delivery attempts to the National Genome Database, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const deliveryLatency = new Histogram({
    name: 'ngc_delivery_duration_seconds',
    help: 'Duration of delivery attempts',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'ngc_validations_in_flight',
    help: 'Submissions and validations being processed',
    registers: [registry],
  });
  let depthSource: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'ngc_outbox_depth',
    help: 'Accepted submissions not yet delivered',
    registers: [registry],
    async collect() {
      if (!depthSource) return;
      try {
        this.set(await depthSource());
      } catch {
        // A failing store shows up in /health/ready; the scrape itself must not fail.
      }
    },
  });

  return {
    registry,
    countSubmission: (verdict) => submissions.inc({ verdict }),
    countIssue: (rule, severity) => issues.inc({ rule, severity }),
    observeRequest: (method, route, status, seconds) => latency.observe({ method, route, status: String(status) }, seconds),
    recordDeliveryAttempt: (outcome, seconds) => {
      attempts.inc({ outcome });
      if (seconds !== undefined) deliveryLatency.observe(seconds);
    },
    setOutboxDepthSource: (source) => {
      depthSource = source;
    },
    setValidationsInFlight: (n) => inFlight.set(n),
  };
}
