/** Authentication and authorization: SMART Backend Services for regional systems (smart/). */
export * from './smart';
/** NGC auditors' SAML single sign-on (saml/); the local IdP lives in saml/dev-idp. */
export * from './saml';
