/** Small request helpers shared by the routes. */
import type { Request } from 'express';
import { HttpError } from './respond';
import type { AuthenticatedClient } from './types';

export function clientOf(req: Request): AuthenticatedClient {
  const client = (req as { client?: AuthenticatedClient }).client;
  // The auth middleware runs before every protected route; reaching here without a client is a wiring bug.
  if (!client || typeof client.clientId !== 'string') throw new HttpError(401, 'login', 'this request needs an access token (Authorization: Bearer)');
  return client;
}

/** 403 unless the client's token carries at least one of the scopes. */
export function requireScope(client: AuthenticatedClient, anyOf: string[]): void {
  if (!anyOf.some((s) => client.scopes.includes(s))) {
    throw new HttpError(403, 'forbidden', `the access token does not grant ${anyOf.join(' or ')}`);
  }
}

export function baseUrlOf(req: Request, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
