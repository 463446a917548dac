/**
 * Binds a SAML response to the browser that started the login. Without it, an attacker could take
 * the response to their OWN login and have a victim's browser post it, logging the victim in as the
 * attacker (login CSRF). The session cookie cannot carry this binding: it is SameSite=Lax, and the
 * IdP's POST to the ACS is cross-site. So the AuthnRequest ids live in a separate, short-lived
 * cookie: SameSite=None (and Secure, __Host-) behind TLS; Lax in development, where the local IdP
 * on loopback is same-site.
 */
import { inflateRawSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** Several tabs may log in at once; the oldest pending ids fall off first. */
const MAX_PENDING = 3;

export interface LoginBinding {
  /** Records the AuthnRequest carried by this redirect URL for this browser. */
  remember(req: Request, res: Response, authnRequestUrl: string): void;
  matches(req: Request, requestId: string): boolean;
  forget(req: Request, res: Response, requestId: string): void;
}

function requestIdOf(authnRequestUrl: string): string | undefined {
  const message = new URL(authnRequestUrl).searchParams.get('SAMLRequest');
  if (!message) return undefined;
  const xml = inflateRawSync(Buffer.from(message, 'base64')).toString('utf8');
  return /\sID="([^"]+)"/.exec(xml)?.[1];
}

export function createLoginBinding(secure: boolean, ttlMs: number): LoginBinding {
  const name = secure ? '__Host-ngc-saml-login' : 'ngc-saml-login';
  const read = (req: Request): string[] => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) {
        return decodeURIComponent(part.slice(eq + 1).trim()).split(' ').filter((id) => /^[A-Za-z_][\w.-]{0,127}$/.test(id));
      }
    }
    return [];
  };
  const write = (res: Response, ids: string[]): void => {
    const options = { httpOnly: true, secure, sameSite: secure ? ('none' as const) : ('lax' as const), path: '/' };
    if (ids.length) res.cookie(name, ids.join(' '), { ...options, maxAge: ttlMs });
    else res.clearCookie(name, options);
  };
  return {
    remember(req, res, authnRequestUrl) {
      const id = requestIdOf(authnRequestUrl);
      if (id) write(res, [...read(req).filter((x) => x !== id), id].slice(-MAX_PENDING));
    },
    matches(req, requestId) {
      return read(req).includes(requestId);
    },
    forget(req, res, requestId) {
      write(res, read(req).filter((x) => x !== requestId));
    },
  };
}
