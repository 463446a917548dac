/** Local SAML IdP for development and tests, and the XML building blocks it is made of. */
export { startDevIdp, defaultDevUsers, autoPostForm, DISPLAY_NAME_ATTRIBUTE, type DevIdp, type DevIdpOptions, type DevIdpUser, type DevIdpLogout, type DevServiceProvider } from './server';
export { startDevSaml, type DevSaml } from './dev-setup';
export * as samlXml from './xml-builder';
