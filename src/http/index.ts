export { createApp } from './app';
export * from './types';
export { createMetrics, type GatewayMetrics, type SubmissionVerdict } from './metrics';
export { createLogger, maskCpr } from './logging';
export { submissionTask } from './task';
export { capabilityStatement } from './capability';
export { extractSubmissionFacts, SOR_SYSTEM, type SubmissionFacts } from './submission-facts';
export * from './intake';
export { HttpError } from './respond';
