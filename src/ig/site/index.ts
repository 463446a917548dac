export { buildSite, packageTarball, DEFAULT_VALIDATE_MAX_BYTES, type BuildSiteOptions, type BuildSiteResult } from './build';
export { snapshotTable, createLinker, elementRuleIds, fixedValues } from './artifacts';
export { validateResultPage } from './validate-page';
export { esc } from './html';
export { tar, tgz } from './tar';
