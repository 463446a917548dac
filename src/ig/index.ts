/**
 * The implementation guide: the static site generator (`buildSite`, run by `npm run build:ig`),
 * the router that serves it at /ig/ with the "validate your Bundle" endpoint, and the read-only
 * FHIR routes for the NGC conformance resources.
 */
export { createIgRouter, IpRateLimiter, DEFAULT_IG_LIMITS, type IgLimits, type IgRouterOptions } from './router';
export { createConformanceRouter, CONFORMANCE_TYPES, type ConformanceRouterOptions } from './conformance';
export { loadConformancePackage, DEFAULT_PACKAGE_DIR, DEFAULT_SITE_DIR, type ConformancePackage } from './package';
export { buildSite, packageTarball, type BuildSiteOptions, type BuildSiteResult } from './site';
