/**
 * FHIR R4 AuditEvents in the style of IHE Basic Audit Log Patterns (BALP): DICOM/REST type codes,
 * the acting agent marked as requestor, the gateway as source, and entities naming the submission
 * (Task), and the Patient only by keyed hash, never by CPR.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';
import { timeOrderedUuid } from '../store/ids';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://hl7.org/fhir/restful-interaction';
const AGENT_TYPE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
/** Identifier system of the keyed CPR hash (HMAC-SHA256), so a hash is never mistaken for a CPR. */
export const SUBJECT_HASH_SYSTEM = 'https://ngc.dk/fhir/audit/patient-hmac-sha256';
export const CLIENT_SYSTEM = 'https://ngc.dk/fhir/gateway/client-id';
export const AUDITOR_SYSTEM = 'https://ngc.dk/fhir/audit/saml-nameid';
export const SOURCE_OBSERVER = 'ngc-reporting-gateway';

export type AuditEventKind = 'submission' | 'forward' | 'view' | 'login-failure' | 'access-request';

const TYPES: Record<AuditEventKind, { type: Coding; subtype: Coding; action: AuditEvent['action'] }> = {
  submission: { type: { system: DCM, code: '110110', display: 'Patient Record' }, subtype: { system: REST, code: 'transaction', display: 'transaction' }, action: 'C' },
  forward: { type: { system: DCM, code: '110106', display: 'Export' }, subtype: { system: REST, code: 'create', display: 'create' }, action: 'C' },
  view: { type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' }, subtype: { system: REST, code: 'read', display: 'read' }, action: 'R' },
  'login-failure': { type: { system: DCM, code: '110114', display: 'User Authentication' }, subtype: { system: DCM, code: '110122', display: 'Login' }, action: 'E' },
  'access-request': { type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' }, subtype: { system: REST, code: 'search-type', display: 'search-type' }, action: 'E' },
};

export interface AuditEventInput {
  kind: AuditEventKind;
  at: Date;
  /** 0 success, 4 minor failure (refused), 8 serious failure. */
  outcome: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  /** Who acted: a SMART client id or an auditor's SAML NameID (or unknown for failed logins). */
  agent: { kind: 'client' | 'auditor' | 'unknown'; id?: string; name?: string; ip?: string };
  submissionId?: string;
  subjectHash?: string;
  /** Extra entity details (verdict, rule counts, Bundle.identifier...). */
  details?: Record<string, string | number | undefined>;
  /** Where the gateway sent the report (forward events). */
  destination?: string;
}

export function buildAuditEvent(input: AuditEventInput): AuditEvent {
  const t = TYPES[input.kind];
  const agents: AuditEventAgent[] = [
    {
      type: { coding: [{ system: AGENT_TYPE, code: input.agent.kind === 'client' ? 'datacollector' : 'humanuser', display: input.agent.kind === 'client' ? 'data collector' : 'human user' }] },
      who: input.agent.id ? { identifier: { system: input.agent.kind === 'client' ? CLIENT_SYSTEM : AUDITOR_SYSTEM, value: input.agent.id }, display: input.agent.name } : { display: 'unknown' },
      requestor: true,
      network: input.agent.ip ? { address: input.agent.ip, type: '2' } : undefined,
    },
    { type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] }, who: { display: SOURCE_OBSERVER }, requestor: false },
  ];
  if (input.destination) {
    agents.push({ type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] }, who: { display: 'National Genome Database' }, requestor: false, network: { address: input.destination, type: '5' } });
  }
  const entities: AuditEventEntity[] = [];
  if (input.submissionId) {
    const detail = Object.entries(input.details ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ({ type: k, valueString: String(v) }));
    entities.push({
      what: { reference: `Task/${input.submissionId}` },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '20', display: 'Job' },
      // FHIR JSON has no empty arrays: without details the element is left out.
      ...(detail.length ? { detail } : {}),
    });
  }
  if (input.subjectHash) {
    entities.push({
      what: { identifier: { system: SUBJECT_HASH_SYSTEM, value: input.subjectHash } },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  return {
    resourceType: 'AuditEvent',
    id: timeOrderedUuid(),
    type: t.type,
    subtype: [t.subtype],
    action: t.action,
    recorded: input.at.toISOString(),
    outcome: input.outcome,
    outcomeDesc: input.outcomeDesc,
    agent: agents,
    source: { observer: { display: SOURCE_OBSERVER }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity: entities.length ? entities : undefined,
  };
}
