/**
 * `ngc-gateway submit`: what an integrator runs to try a gateway. It does what a regional system
 * does (SMART Backend Services client credentials with a signed assertion, then POST /fhir) and
 * prints the gateway's answer. With no options it uses the development client that `serve` created
 * in DATA_DIR.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const USAGE = `usage: ngc-gateway submit [--url URL] [--client-id ID] [--key FILE] [--kid KID] [--scope SCOPE] BUNDLE.json

Gets an access token (SMART Backend Services) and POSTs the Bundle to URL/fhir.
  --url URL        the gateway (default $NGC_GATEWAY_URL or http://localhost:8080)
  --client-id ID   registered client id (default: the development client in $DATA_DIR or ./data)
  --key FILE       the client's private key, PKCS#8 PEM or JWK (EC P-384 for ES384, RSA for RS384)
  --kid KID        key id to put in the assertion header (default: the JWK's kid, or the dev key's)
  --scope SCOPE    requested scope (default system/Bundle.write)
Exit status: 0 accepted (2xx), 1 refused by the gateway (4xx/5xx), 2 usage or connection error.
`;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

class UsageError extends Error {}

interface ClientKey {
  key: KeyObject;
  alg: 'ES384' | 'RS384';
  kid?: string;
}

function readKey(file: string, kid: string | undefined): ClientKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read key file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let key: KeyObject;
  let jwkKid: string | undefined;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as { kid?: string };
      jwkKid = jwk.kid;
      key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } else {
      key = createPrivateKey(text);
    }
  } catch (err) {
    throw new UsageError(`${file} is not a private key in PKCS#8 PEM or JWK form (${(err as Error).message})`);
  }
  let alg: ClientKey['alg'];
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') alg = 'ES384';
  else if (key.asymmetricKeyType === 'rsa') alg = 'RS384';
  else throw new UsageError(`${file}: the key must be EC P-384 (ES384) or RSA (RS384)`);
  return { key, alg, kid: kid ?? jwkKid };
}

interface DevDefaults {
  clientId?: string;
  keyFile: string;
  kid?: string;
}

/** The development client that `serve` writes to DATA_DIR on a fresh clone. */
function devDefaults(): DevDefaults | undefined {
  const dataDir = resolve(process.env.DATA_DIR || 'data');
  try {
    const registry = JSON.parse(readFileSync(join(dataDir, 'dev-clients.json'), 'utf8')) as {
      clients?: { clientId?: string; jwks?: { keys?: { kid?: string }[] } }[];
    };
    const client = registry.clients?.[0];
    return { clientId: client?.clientId, kid: client?.jwks?.keys?.[0]?.kid, keyFile: join(dataDir, 'dev-client-key.pem') };
  } catch {
    return undefined;
  }
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

/** The token endpoint as the gateway announces it (the `aud` it expects), else the conventional path. */
async function tokenEndpoint(base: string): Promise<string> {
  const res = await request(`${base}/.well-known/smart-configuration`, { headers: { accept: 'application/json' } });
  if (res.ok) {
    const config = (await res.json().catch(() => ({}))) as { token_endpoint?: unknown };
    if (typeof config.token_endpoint === 'string') return config.token_endpoint;
  } else {
    await res.body?.cancel();
  }
  return `${base}/auth/token`;
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}

async function submit(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'client-id': { type: 'string' },
        key: { type: 'string' },
        kid: { type: 'string' },
        scope: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one BUNDLE.json');
  const base = (values.url ?? process.env.NGC_GATEWAY_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new UsageError(`--url must be an http(s) URL, not ${base}`);

  const dev = values['client-id'] && values.key ? undefined : devDefaults();
  const clientId = values['client-id'] ?? dev?.clientId;
  const keyFile = values.key ?? dev?.keyFile;
  if (!clientId || !keyFile) {
    throw new UsageError('no --client-id/--key given and no development client found in $DATA_DIR or ./data (start `ngc-gateway serve` once, or pass them)');
  }
  const usingDevKey = !values.key;
  const key = readKey(keyFile, values.kid ?? (usingDevKey ? dev?.kid : undefined));

  const bundleFile = positionals[0];
  let bundle: Buffer;
  try {
    bundle = readFileSync(bundleFile);
  } catch (err) {
    throw new UsageError(`cannot read ${bundleFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }

  const tokenUrl = await tokenEndpoint(base);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 240)
    .setJti(randomUUID())
    .sign(key.key);
  const tokenRes = await request(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      scope: values.scope ?? 'system/Bundle.write',
    }).toString(),
  });
  const tokenBody = (await tokenRes.json().catch(() => undefined)) as { access_token?: string; error?: string; error_description?: string } | undefined;
  if (!tokenRes.ok || !tokenBody?.access_token) {
    print(`token request refused: HTTP ${tokenRes.status}${tokenBody?.error ? ` ${tokenBody.error}` : ''}`);
    if (tokenBody?.error_description) print(tokenBody.error_description);
    return 1;
  }

  const res = await request(`${base}/fhir`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', authorization: `Bearer ${tokenBody.access_token}` },
    body: new Uint8Array(bundle),
  });
  print(`HTTP ${res.status} ${res.statusText}`.trimEnd());
  const location = res.headers.get('content-location');
  if (location) print(`Content-Location: ${location}`);
  const text = await res.text();
  if (text) {
    try {
      print(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      print(text);
    }
  }
  return res.status >= 200 && res.status < 300 ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  try {
    return await submit(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ngc-gateway submit: ${err.message}\n`);
      if (/give exactly one|Unknown option|unexpected argument/i.test(err.message)) process.stderr.write(USAGE);
      return 2;
    }
    throw err;
  }
}
