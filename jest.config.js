/** Jest runs the TypeScript sources directly through SWC (no build step). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // fhir-kit-client is ESM-only: load its dist entry and let SWC transform it to CommonJS.
  moduleNameMapper: { '^fhir-kit-client$': '<rootDir>/node_modules/fhir-kit-client/dist/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!fhir-kit-client/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 30000,
};
