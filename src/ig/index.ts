/**
 * The implementation guide at run time: the router that serves it at /ig/ with the "validate your Bundle" endpoint, and the read-only
 * FHIR routes for the NGC conformance resources.
 */
export { createIgRouter, IpRateLimiter, DEFAULT_IG_LIMITS, type IgLimits, type IgRouterOptions } from './router';
export { createConformanceRouter, conformanceCapabilityResources, CONFORMANCE_TYPES, type ConformanceRouterOptions } from './conformance';
export { loadConformancePackage, DEFAULT_PACKAGE_DIR, DEFAULT_SITE_DIR, type ConformancePackage } from './package';
// The generator (`buildSite`, ./site) is build-time only and needs the dev dependency `marked`.
