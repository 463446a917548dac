/**
 * The SAML request cache and the session store, both over the gateway store's expiring entries, so
 * that every instance behind the load balancer sees the same pending AuthnRequests and sessions.
 */
import session from 'express-session';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { GatewayStore } from '../../store/types';

/** The part of the store contract that SAML and sessions need. */
export type SamlStore = Pick<GatewayStore, 'putExpiring' | 'getExpiring' | 'deleteExpiring' | 'rememberOnce'>;

export const REQUEST_CACHE_NAMESPACE = 'saml-request';
export const SESSION_NAMESPACE = 'audit-session';

/** node-saml's CacheProvider: AuthnRequest id → creation time, expiring with the request. */
export class StoreRequestCache implements CacheProvider {
  constructor(private readonly store: SamlStore, private readonly ttlMs: number) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = Date.now();
    await this.store.putExpiring(REQUEST_CACHE_NAMESPACE, key, value, new Date(createdAt + this.ttlMs));
    return { value, createdAt };
  }

  async getAsync(key: string): Promise<string | null> {
    return (await this.store.getExpiring(REQUEST_CACHE_NAMESPACE, key)) ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    const value = await this.store.getExpiring(REQUEST_CACHE_NAMESPACE, key);
    await this.store.deleteExpiring(REQUEST_CACHE_NAMESPACE, key);
    return value ?? null;
  }
}

type Callback = (err?: unknown) => void;

/** express-session's Store over putExpiring/getExpiring/deleteExpiring. */
export class StoreSessionStore extends session.Store {
  constructor(private readonly store: SamlStore, private readonly idleMs: number) {
    super();
  }

  private expiry(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires) : undefined;
    return cookieExpiry && !Number.isNaN(cookieExpiry.getTime()) ? cookieExpiry : new Date(Date.now() + this.idleMs);
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.store.getExpiring(SESSION_NAMESPACE, sid).then(
      (raw) => {
        if (raw === undefined) return callback(null, null);
        try {
          callback(null, JSON.parse(raw) as session.SessionData);
        } catch {
          // A damaged entry is treated as no session rather than as an error page.
          callback(null, null);
        }
      },
      (err) => callback(err),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.store.putExpiring(SESSION_NAMESPACE, sid, JSON.stringify(sess), this.expiry(sess)).then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.store.deleteExpiring(SESSION_NAMESPACE, sid).then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.set(sid, sess, callback);
  }
}
