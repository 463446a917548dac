/**
 * The auditors' SAML single sign-on (NemLog-in OIOSAML 3 profile) on passport-saml, with a
 * store-backed session, CSRF protection and the auditor guard.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as SamlStrategy, type Profile, type VerifiedCallback, type VerifyWithRequest } from '@node-saml/passport-saml';
import { SAML, ValidateInResponseTo, type SamlConfig as NodeSamlConfig } from '@node-saml/node-saml';
import { NSIS_LOA_ATTRIBUTE, NSIS_LOA_LEVELS, nsisLoaClassRef, SamlConfigError } from './config';
import { ACCEPTED_DATA_ENCRYPTION, checkEncryptionAlgorithms, checkResponseEnvelope, checkVerifiedAssertion } from './checks';
import { createCsrfProtection } from './csrf';
import { createLoginBinding } from './login-binding';
import { escapeHtml, page, safeReturnTo, sendError, wantsHtml } from './http-helpers';
import { REQUEST_CACHE_NAMESPACE, StoreRequestCache, StoreSessionStore } from './store-adapters';
import type { AuditorUser, SamlAuthFailureEvent, CreateSamlAuthOptions } from './types';

/**
 * 3 s: gateway and IdP hosts are NTP-synchronised (sub-second drift), and the POST reaches us within
 * a second of issue; a larger skew only widens the window in which an expired assertion is accepted.
 */
export const ACCEPTED_CLOCK_SKEW_MS = 3_000;
/** How long a login may take at the IdP before its AuthnRequest id is forgotten. */
export const REQUEST_TTL_MS = 10 * 60_000;
/** An assertion older than this is refused even if the IdP gave it a longer life. */
const MAX_ASSERTION_AGE_MS = 5 * 60_000;

export interface SamlAuth {
  router: Router;
  sessionMiddleware: RequestHandler;
  requireAuditor: RequestHandler;
  csrfProtection: RequestHandler;
  /** The ACS URL announced in the metadata and checked as Destination and Recipient. */
  acsUrl: string;
}

interface FailureInfo {
  status: 401 | 403;
  reason: string;
  subject?: string;
}

function attributeValues(profile: Profile, name: string): string[] {
  const attrs = (profile as { attributes?: Record<string, unknown> }).attributes ?? {};
  const value = Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

export function createSamlAuth(options: CreateSamlAuthOptions): SamlAuth {
  const { config, store } = options;
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV ?? 'development';
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const acsUrl = `${base}/auth/saml/acs`;
  const logoutUrl = `${base}/auth/saml/logout`;
  const secureCookie = base.startsWith('https:') || !['development', 'test'].includes(nodeEnv);
  // __Host-: the browser accepts it only Secure, host-only and for path /, so no subdomain can plant one.
  const cookieName = secureCookie ? '__Host-ngc-audit' : 'ngc-audit';
  if (nodeEnv === 'production' && !base.startsWith('https:')) throw new SamlConfigError('publicBaseUrl must be https in production');
  if (nodeEnv === 'production' && !config.sessionSecret) throw new SamlConfigError('SAML_SESSION_SECRET(_FILE) is required in production (all instances must share it)');

  const report = (req: Request, event: Omit<SamlAuthFailureEvent, 'path' | 'method' | 'ip' | 'userAgent' | 'at'>): void => {
    const full: SamlAuthFailureEvent = {
      ...event,
      path: req.originalUrl.split('?')[0],
      method: req.method,
      ip: req.ip,
      userAgent: req.get('user-agent')?.slice(0, 256),
      at: new Date().toISOString(),
    };
    // The audit hook must never turn a refusal into a crash; its own failures are its own to log.
    Promise.resolve()
      .then(() => options.onAuthFailure?.(full))
      .catch(() => undefined);
  };

  const samlOptions: NodeSamlConfig = {
    issuer: config.spEntityId,
    audience: config.spEntityId,
    callbackUrl: acsUrl,
    entryPoint: config.idpSsoUrl,
    logoutUrl: config.idpSloUrl,
    logoutCallbackUrl: logoutUrl,
    // Checks the Issuer of logout messages (node-saml applies it to those only; assertions are checked in checks.ts).
    idpIssuer: config.idpEntityId,
    idpCert: config.idpCertsPem,
    privateKey: config.spSigningKeyPem,
    publicCert: config.spSigningCertPem,
    decryptionPvk: config.spDecryptionKeyPem,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: new StoreRequestCache(store, REQUEST_TTL_MS),
    acceptedClockSkewMs: ACCEPTED_CLOCK_SKEW_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    authnContext: [nsisLoaClassRef(config.minimumLoa)],
    racComparison: 'minimum',
    authnRequestBinding: 'HTTP-Redirect',
  };
  // One SAML object issues AuthnRequests and metadata; the passport strategy validates responses.
  // Both share the store-backed request cache, so any instance can receive any response.
  const saml = new SAML(samlOptions);

  const loginBinding = createLoginBinding(secureCookie, REQUEST_TTL_MS);

  const verify = (req: Request, profile: Profile | null, done: VerifiedCallback): void => {
    (async (): Promise<FailureInfo | AuditorUser> => {
      if (!profile) return { status: 401, reason: 'no assertion' };
      const rawResponse = profile.getSamlResponseXml?.();
      const verifiedAssertion = profile.getAssertionXml?.();
      const inResponseTo = (profile as { inResponseTo?: string }).inResponseTo;
      if (!rawResponse || !verifiedAssertion || !inResponseTo) return { status: 401, reason: 'incomplete SAML response' };
      const envelopeProblem = checkResponseEnvelope(rawResponse, acsUrl);
      if (envelopeProblem) return { status: 401, reason: envelopeProblem };
      const facts = checkVerifiedAssertion(verifiedAssertion, { acsUrl, idpEntityId: config.idpEntityId, inResponseTo });
      if (typeof facts === 'string' || facts === undefined) return { status: 401, reason: facts ?? 'assertion refused' };
      if (!loginBinding.matches(req, inResponseTo)) return { status: 401, reason: 'response to a login this browser did not start' };
      // node-saml's own InResponseTo bookkeeping is read-then-delete and skips the delete on some
      // paths; these atomic claims make a response and an assertion usable once, across instances.
      const requestFresh = await store.rememberOnce('saml-in-response-to', inResponseTo, new Date(Date.now() + REQUEST_TTL_MS));
      const assertionFresh = await store.rememberOnce('saml-assertion-id', facts.id, new Date(facts.notOnOrAfter.getTime() + ACCEPTED_CLOCK_SKEW_MS + 60_000));
      await store.deleteExpiring(REQUEST_CACHE_NAMESPACE, inResponseTo);
      if (!requestFresh || !assertionFresh) return { status: 401, reason: 'replayed SAML response' };
      if (req.res) loginBinding.forget(req, req.res, inResponseTo);
      const loa = attributeValues(profile, NSIS_LOA_ATTRIBUTE)[0];
      const loaRank = NSIS_LOA_LEVELS.indexOf(loa as (typeof NSIS_LOA_LEVELS)[number]);
      if (loaRank < NSIS_LOA_LEVELS.indexOf(config.minimumLoa)) {
        return { status: 401, reason: `NSIS level of assurance ${JSON.stringify(loa ?? '(none)')} below ${config.minimumLoa}`, subject: profile.nameID };
      }
      const isAuditor = attributeValues(profile, config.auditorAttribute).includes(config.auditorValue);
      const displayName = (options.displayNameAttributes ?? []).map((a) => attributeValues(profile, a)[0]).find(Boolean);
      const user: AuditorUser = {
        nameId: profile.nameID,
        nameIdFormat: profile.nameIDFormat,
        sessionIndex: profile.sessionIndex,
        nameQualifier: profile.nameQualifier,
        spNameQualifier: profile.spNameQualifier,
        issuer: profile.issuer,
        displayName,
        isAuditor,
      };
      if (!isAuditor) return { status: 403, reason: `auditor role missing (${config.auditorAttribute})`, subject: user.nameId };
      return user;
    })().then(
      (result) => ('isAuditor' in result ? done(null, result as unknown as Record<string, unknown>) : done(null, undefined, result as unknown as Record<string, unknown>)),
      (err: unknown) => done(err as Error),
    );
  };

  const authenticator = new passport.Authenticator();
  // passport-saml types its Request against its own copy of @types/express; the object is the same.
  const strategy = new SamlStrategy({ ...samlOptions, passReqToCallback: true }, verify as unknown as VerifyWithRequest, (_req, _p, done) => done(null, undefined));
  authenticator.use('saml', strategy as unknown as passport.Strategy);

  const sessionStore = new StoreSessionStore(store, config.sessionIdleTimeoutMs);
  const sessionMiddleware = session({
    name: cookieName,
    secret: config.sessionSecret ?? randomBytes(32).toString('base64url'),
    store: sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, secure: secureCookie, sameSite: 'lax', path: '/', maxAge: config.sessionIdleTimeoutMs },
  });

  const csrfCheck = createCsrfProtection((req, reason) => report(req, { mechanism: 'csrf', status: 403, reason, subject: req.session?.auditor?.nameId }));
  const csrfProtection: RequestHandler = (req, res, next) => {
    sessionMiddleware(req, res, (err?: unknown) => (err ? next(err) : csrfCheck(req, res, next)));
  };

  const requireAuditorInner: RequestHandler = (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const user = req.session?.auditor;
    const expired = user && (req.session.authenticatedAt ?? 0) + config.sessionAbsoluteTimeoutMs < Date.now();
    if (!user || expired) {
      if (expired) req.session.auditor = undefined;
      const isApi = req.originalUrl.startsWith('/audit/api');
      if (!isApi && wantsHtml(req) && (req.method === 'GET' || req.method === 'HEAD')) {
        res.redirect(302, `/auth/saml/login?returnTo=${encodeURIComponent(safeReturnTo(req.originalUrl))}`);
        return;
      }
      report(req, { mechanism: 'session', status: 401, reason: expired ? 'session past its maximum lifetime' : 'no auditor session' });
      sendError(req, res, 401, 'login', 'Log in as an NGC auditor (SAML single sign-on at /auth/saml/login).');
      return;
    }
    if (!user.isAuditor) {
      report(req, { mechanism: 'session', status: 403, reason: 'auditor role missing', subject: user.nameId });
      sendError(req, res, 403, 'forbidden', 'Your account does not have the NGC auditor role.');
      return;
    }
    res.locals.auditor = user;
    next();
  };
  const requireAuditor: RequestHandler = (req, res, next) => {
    sessionMiddleware(req, res, (err?: unknown) => (err ? next(err) : requireAuditorInner(req, res, next)));
  };

  const router = express.Router();
  const acsParser = express.urlencoded({ extended: false, limit: '512kb' });

  router.get('/auth/saml/metadata', (_req, res) => {
    const xml = saml
      .generateServiceProviderMetadata(config.spDecryptionCertPem, config.spSigningCertPem)
      // Offer only the encryption methods the ACS accepts.
      .replace(/\s*<EncryptionMethod Algorithm="([^"]+)"\/>/g, (m, alg: string) => (ACCEPTED_DATA_ENCRYPTION.includes(alg) ? m : ''))
      // Logout messages arrive by redirect (GET), not by POST as node-saml announces.
      .replace(/(<SingleLogoutService Binding=")urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST"/, '$1urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"');
    res.type('application/samlmetadata+xml').send(xml);
  });

  router.get('/auth/saml/login', sessionMiddleware, (req, res, next) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (req.session.auditor?.isAuditor) {
      res.redirect(302, returnTo);
      return;
    }
    saml.getAuthorizeUrlAsync(returnTo, req.get('host'), {}).then(
      (url) => {
        loginBinding.remember(req, res, url);
        res.set('Cache-Control', 'no-store');
        res.redirect(302, url);
      },
      (err: unknown) => next(err),
    );
  });

  router.post('/auth/saml/acs', acsParser, sessionMiddleware, (req: Request, res: Response, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?.SAMLResponse !== 'string') {
      report(req, { mechanism: 'saml', status: 401, reason: 'POST without SAMLResponse' });
      sendError(req, res, 400, 'invalid', 'A SAMLResponse form field is required.');
      return;
    }
    // One answer for every refusal: telling a forger which check failed helps them.
    const refuse = (info: FailureInfo): void => {
      report(req, { mechanism: 'saml', ...info });
      sendError(req, res, info.status, info.status === 403 ? 'forbidden' : 'login', info.status === 403 ? 'Your account does not have the NGC auditor role.' : 'The login was refused. Start again from the login page.');
    };
    const weakCrypto = checkEncryptionAlgorithms(Buffer.from(body.SAMLResponse, 'base64').toString('utf8'));
    if (weakCrypto) return refuse({ status: 401, reason: weakCrypto });
    const callback = (err: unknown, user: AuditorUser | false | undefined, info?: FailureInfo): void => {
      if (err) return refuse({ status: 401, reason: err instanceof Error ? err.message : String(err) });
      if (!user) return refuse(info && typeof info === 'object' && 'reason' in info ? info : { status: 401, reason: 'assertion refused' });
      const returnTo = safeReturnTo(body.RelayState);
      // A new session id on login, so an id planted before login (session fixation) is worthless.
      req.session.regenerate((regenErr) => {
        if (regenErr) return next(regenErr);
        req.session.auditor = user;
        req.session.authenticatedAt = Date.now();
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, returnTo)));
      });
    };
    (authenticator.authenticate('saml', { session: false }, callback) as RequestHandler)(req, res, next);
  });

  const loggedOutPage = (res: Response): void => {
    res.set('Cache-Control', 'no-store').type('html').send(page('Logged out', '<p>You are logged out.</p><p><a href="/auth/saml/login">Log in again</a></p>'));
  };

  const endSession = (req: Request, res: Response): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!req.session) return resolve();
      req.session.destroy((err) => {
        if (err) return reject(err);
        res.clearCookie(cookieName, { path: '/', httpOnly: true, secure: secureCookie, sameSite: 'lax' });
        resolve();
      });
    });

  /**
   * Single logout messages from the IdP (redirect binding): its LogoutResponse after we asked it to
   * log the user out, or its own LogoutRequest. Only signed ones count: node-saml would take an
   * unsigned message, which would let any site log auditors out.
   */
  const singleLogout: RequestHandler = (req, res, next) => {
    const q = req.query as Record<string, unknown>;
    if (q.SAMLRequest === undefined && q.SAMLResponse === undefined) return next();
    const refuseLogout = (reason: string): void => {
      report(req, { mechanism: 'saml', status: 401, reason: `logout message refused: ${reason}` });
      sendError(req, res, 400, 'invalid', 'The logout message was refused.');
    };
    if (typeof q.Signature !== 'string' || typeof q.SigAlg !== 'string') return refuseLogout('unsigned');
    const rawQuery = req.originalUrl.slice(req.originalUrl.indexOf('?') + 1);
    saml
      .validateRedirectAsync(req.query, rawQuery)
      .then(async ({ profile }) => {
        if (!profile) {
          // The IdP confirms the logout we started; our session already ended then.
          await endSession(req, res);
          return loggedOutPage(res);
        }
        const current = req.session?.auditor;
        const matches = current !== undefined && current.nameId === profile.nameID;
        if (matches) await endSession(req, res);
        const relay = typeof q.RelayState === 'string' ? q.RelayState : '';
        res.set('Cache-Control', 'no-store').redirect(302, await saml.getLogoutResponseUrlAsync(profile, relay, {}, true));
      })
      .catch((err: unknown) => refuseLogout(err instanceof Error ? err.message : String(err)));
  };

  router.get('/auth/saml/logout', sessionMiddleware, singleLogout, csrfProtection, (req, res) => {
    if (!req.session.auditor) return loggedOutPage(res);
    res.set('Cache-Control', 'no-store').type('html').send(page('Log out', `<form method="post" action="/auth/saml/logout">` +
      `<input type="hidden" name="_csrf" value="${escapeHtml(String(res.locals.csrfToken))}"><button type="submit">Log out</button></form>`));
  });

  router.post('/auth/saml/logout', csrfProtection, (req, res, next) => {
    const user = req.session.auditor;
    endSession(req, res).then(() => {
      if (user && config.idpSloUrl) {
        const logoutProfile = { nameID: user.nameId, nameIDFormat: user.nameIdFormat ?? '', sessionIndex: user.sessionIndex, nameQualifier: user.nameQualifier, spNameQualifier: user.spNameQualifier, issuer: user.issuer };
        saml.getLogoutUrlAsync(logoutProfile as Profile, '', {}).then(
          (url) => res.redirect(303, url),
          () => res.redirect(303, '/auth/saml/logout'), // local logout is done; the IdP session ends on its own
        );
        return;
      }
      res.redirect(303, '/auth/saml/logout');
    }, next);
  });

  return { router, sessionMiddleware, requireAuditor, csrfProtection, acsUrl };
}
