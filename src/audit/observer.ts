/**
 * Submissions the HTTP layer answers without storing a record (not JSON, too large, wrong media
 * type, not the client's laboratory, conflicts, rate limits, duplicates) still leave an AuditEvent:
 * the observer watches POST /fhir responses and records those the audited store did not see.
 * Throttled and shed requests (429, 503) are counted and recorded in groups (refusal-tally.ts).
 */
import type { RequestHandler } from 'express';
import { FLOW_CONTROL_STATUSES } from './refusal-tally';
import type { AuditService } from './service';

/** Statuses the audited store records itself (422 rejected, 202 accepted) or SMART reports (401). */
const RECORDED_ELSEWHERE = new Set([202, 401, 422]);

export function submissionObserver(audit: AuditService): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || (req.path !== '/' && req.path !== '')) return next();
    const started = new Date();
    res.once('finish', () => {
      if (RECORDED_ELSEWHERE.has(res.statusCode)) return;
      const client = (req as unknown as { client?: { clientId: string; region?: string } }).client;
      if (FLOW_CONTROL_STATUSES.has(res.statusCode)) {
        audit.recordRefusal({ status: res.statusCode, at: started, clientId: client?.clientId, ip: req.ip });
        return;
      }
      const location = String(res.getHeader('content-location') ?? '');
      const existing = /\/Task\/([^/?#]+)$/.exec(location)?.[1];
      const duplicate = res.statusCode === 200 && existing !== undefined;
      void audit.record({
        kind: 'submission',
        at: started,
        outcome: duplicate ? '0' : res.statusCode >= 500 ? '8' : '4',
        outcomeDesc: duplicate ? 'duplicate of an earlier submission (SUB-11): first receipt returned' : `refused with HTTP ${res.statusCode}`,
        agent: { kind: client ? 'client' : 'unknown', id: client?.clientId, ip: req.ip },
        submissionId: existing,
        details: { httpStatus: res.statusCode, region: client?.region, sizeBytes: Number(req.headers['content-length']) || undefined },
      });
    });
    next();
  };
}
