/** Audit of submissions and rejected reports: records, encryption, AuditEvents and the auditors' workspace. */
export { AuditStore, instantOf, type SubmissionQuery, type SubmissionSummary, type SubmissionPage, type SortField, type AcceptanceBucket, type RuleFrequency, type ResubmissionTime, type AuditEventQuery, type StoredAuditEvent } from './audit-store';
export { AuditService, DEFAULT_RETENTION_DAYS, type AuditServiceOptions, type AuditLogger } from './service';
export { createPayloadCipher, subjectHasher, loadAuditKeys, AuditKeyError, DEV_KEYS_FILE, type AuditKeyring, type PayloadCipher } from './crypto';
export { buildAuditEvent, SUBJECT_HASH_SYSTEM, type AuditEventInput, type AuditEventKind } from './events';
export { personIdentifiers, prettyWithSpans, spanOfExpression } from './payload';
export type { AuditDbConfig } from './sql';
export { createAuditWeb, createAuditRouter, ruleTexts, type AuditWebOptions, type AuditRouterOptions } from './web';
export { setupAudit, retentionDaysFrom, type AuditSetup, type AuditSetupOptions } from './setup';
export { submissionObserver } from './observer';
