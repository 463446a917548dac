#!/usr/bin/env node
'use strict';
/**
 * A fake National Genome Database for end-to-end and crash tests: a small FHIR-server-like HTTP
 * process. Run it as its own process (`node test/support/fake-ngc-database.js [--port N]
 * [--state-file F]`); it prints one JSON line `{"url": ...}` on stdout once it listens.
 *
 * What it does, like a FHIR server:
 * - POST /      a transaction Bundle: every entry is created, or, for a conditional create
 *               (`request.ifNoneExist`, by `identifier` or `_tag`), the existing match is returned (200) instead of a second
 *               copy. All entries are applied together or not at all; `urn:uuid:` references
 *               between entries are rewritten to the assigned `Type/id`.
 * - POST /Type  a single create, honouring the `If-None-Exist` header.
 * - GET /metadata, GET /Type/id.
 * What it adds for tests:
 * - POST /_control {mode, status, times, retryAfter, delayMs}: 'ok'; 'fail' (answer `status`, with
 *   Retry-After when given, `times` times or until told otherwise); 'slow' (wait `delayMs` before
 *   answering); 'drop-after-commit' (store the transaction, then cut the connection without an
 *   answer: the "database has it, the gateway never heard" case); 'commit-then-slow' (store the
 *   transaction at once, answer only after `delayMs`: time for a test to SIGKILL the sender).
 * - GET /_count?identifier=system|value[&type=T]  how many stored resources carry that identifier.
 * - GET /_received?identifier=system|value        how many transactions received carried it.
 * - GET /_stats, GET /_resources?type=T, POST /_reset.
 * State is in memory and, with --state-file, in a JSON file rewritten after every change, so a
 * test can read it after a restart (and the fake itself reloads it at start).
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

function createFakeServer(options = {}) {
  const stateFile = options.stateFile;
  let state = { nextId: 1, resources: [], received: [], transactions: 0, requests: 0 };
  if (stateFile && fs.existsSync(stateFile)) state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  let control = { mode: 'ok' };

  function save() {
    if (!stateFile) return;
    const tmp = `${stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, stateFile);
  }

  function identifiersOf(resource) {
    return (Array.isArray(resource.identifier) ? resource.identifier : []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`);
  }

  function tagsOf(resource) {
    const tags = resource.meta && Array.isArray(resource.meta.tag) ? resource.meta.tag : [];
    return tags.map((t) => `${t.system ?? ''}|${t.code ?? ''}`);
  }

  /** `identifier=system|value` or `_tag=system|code` (URL-encoded or not) → matching stored resources of the type. */
  function search(type, query) {
    const params = new URLSearchParams(query.replace(/^\?/, ''));
    const byIdentifier = params.get('identifier');
    const byTag = params.get('_tag');
    if (!byIdentifier && !byTag) return undefined;
    return state.resources.filter(
      (r) => r.resourceType === type && (!byIdentifier || identifiersOf(r).includes(byIdentifier)) && (!byTag || tagsOf(r).includes(byTag)),
    );
  }

  function rewriteReferences(node, map) {
    if (Array.isArray(node)) return node.forEach((n) => rewriteReferences(n, map));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string' && map.has(v)) node[k] = map.get(v);
      else rewriteReferences(v, map);
    }
  }

  function operationOutcome(code, diagnostics) {
    return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
  }

  /** Applies a transaction; returns [status, body]. Nothing is stored unless every entry is fine. */
  function transaction(bundle) {
    if (!bundle || bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
      return [400, operationOutcome('invalid', 'expected a transaction Bundle')];
    }
    const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
    const created = [];
    const fullUrlMap = new Map();
    const plan = [];
    let nextId = state.nextId;
    for (const [index, entry] of entries.entries()) {
      const res = entry.resource;
      if (!res || !res.resourceType || !entry.request || entry.request.method !== 'POST') {
        return [400, operationOutcome('not-supported', `entry ${index}: only POST of a resource is supported`)];
      }
      const matches = entry.request.ifNoneExist ? search(res.resourceType, entry.request.ifNoneExist) : undefined;
      if (matches && matches.length > 1) {
        return [412, operationOutcome('duplicate', `entry ${index}: ifNoneExist matches ${matches.length} resources`)];
      }
      if (matches && matches.length === 1) {
        plan.push({ status: '200 OK', resource: matches[0], existing: true });
      } else {
        const stored = JSON.parse(JSON.stringify(res));
        stored.id = String(nextId++);
        stored.meta = { ...(stored.meta ?? {}), versionId: '1', lastUpdated: new Date().toISOString() };
        plan.push({ status: '201 Created', resource: stored, existing: false });
        created.push(stored);
      }
      if (entry.fullUrl) fullUrlMap.set(entry.fullUrl, `${res.resourceType}/${plan[plan.length - 1].resource.id}`);
    }
    for (const r of created) rewriteReferences(r, fullUrlMap);
    state.nextId = nextId;
    state.resources.push(...created);
    state.transactions += 1;
    state.received.push(entries.flatMap((e) => identifiersOf(e.resource)));
    save();
    return [
      200,
      {
        resourceType: 'Bundle',
        type: 'transaction-response',
        entry: plan.map((p) => ({
          response: { status: p.status, location: `${p.resource.resourceType}/${p.resource.id}/_history/1` },
        })),
      },
    ];
  }

  function send(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** Applies the failure mode to a FHIR request; true when it already answered. */
  async function misbehave(res, commit) {
    const c = control;
    if (c.mode === 'ok') return false;
    if (typeof c.times === 'number') {
      c.times -= 1;
      if (c.times <= 0) control = { mode: 'ok' };
    }
    if (c.mode === 'slow') {
      await new Promise((r) => setTimeout(r, c.delayMs ?? 1000));
      return false;
    }
    if (c.mode === 'fail') {
      const status = c.status ?? 503;
      send(res, status, operationOutcome(status === 429 ? 'throttled' : 'transient', `told to fail with ${status}`),
        c.retryAfter !== undefined ? { 'retry-after': String(c.retryAfter) } : {});
      return true;
    }
    if (c.mode === 'drop-after-commit') {
      commit();
      res.socket.destroy();
      return true;
    }
    if (c.mode === 'commit-then-slow') {
      const [status, body] = commit();
      await new Promise((r) => setTimeout(r, c.delayMs ?? 1000));
      if (!res.destroyed && !res.socket?.destroyed) send(res, status, body);
      return true;
    }
    return false;
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://fake');
      const p = url.pathname.replace(/\/+$/, '') || '/';
      if (p === '/_control' && req.method === 'POST') {
        control = JSON.parse((await readBody(req)) || '{}');
        return send(res, 200, { control });
      }
      if (p === '/_reset' && req.method === 'POST') {
        state = { nextId: 1, resources: [], received: [], transactions: 0, requests: 0 };
        control = { mode: 'ok' };
        save();
        return send(res, 200, {});
      }
      if (p === '/_count' && req.method === 'GET') {
        const id = url.searchParams.get('identifier');
        const type = url.searchParams.get('type');
        const count = state.resources.filter((r) => (!type || r.resourceType === type) && identifiersOf(r).includes(id)).length;
        return send(res, 200, { count });
      }
      if (p === '/_received' && req.method === 'GET') {
        const id = url.searchParams.get('identifier');
        return send(res, 200, { count: state.received.filter((ids) => ids.includes(id)).length });
      }
      if (p === '/_stats' && req.method === 'GET') {
        return send(res, 200, { transactions: state.transactions, resources: state.resources.length, requests: state.requests });
      }
      if (p === '/_resources' && req.method === 'GET') {
        const type = url.searchParams.get('type');
        return send(res, 200, state.resources.filter((r) => !type || r.resourceType === type));
      }

      state.requests += 1;
      if (p === '/metadata' && req.method === 'GET') {
        return send(res, 200, {
          resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1',
          format: ['json'], date: new Date().toISOString(),
          rest: [{ mode: 'server', interaction: [{ code: 'transaction' }] }],
        });
      }
      if (req.method === 'POST') {
        const text = await readBody(req);
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          return send(res, 400, operationOutcome('invalid', 'body is not JSON'));
        }
        const apply = () => {
          if (p === '/') return transaction(body);
          const type = p.slice(1);
          if (!/^[A-Z][A-Za-z]+$/.test(type) || body.resourceType !== type) return [400, operationOutcome('invalid', 'bad type')];
          const cond = req.headers['if-none-exist'];
          return transaction({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: body, request: { method: 'POST', url: type, ifNoneExist: cond } }] });
        };
        if (await misbehave(res, apply)) return;
        const [status, result] = apply();
        return send(res, status, result);
      }
      const m = /^\/([A-Z][A-Za-z]+)\/([^/]+)$/.exec(p);
      if (m && req.method === 'GET') {
        const found = state.resources.find((r) => r.resourceType === m[1] && r.id === m[2]);
        return found ? send(res, 200, found) : send(res, 404, operationOutcome('not-found', `${m[1]}/${m[2]} is not known`));
      }
      return send(res, 404, operationOutcome('not-supported', `${req.method} ${p} is not supported`));
    } catch (err) {
      return send(res, 500, operationOutcome('exception', String(err && err.message)));
    }
  });
  return server;
}

/**
 * Starts the fake as a child process on a random loopback port and returns a small client.
 * @param {{ stateFile?: string, port?: number }} [options]
 */
function startFakeNgcDatabase(options = {}) {
  const args = [__filename, '--port', String(options.port ?? 0)];
  if (options.stateFile) args.push('--state-file', options.stateFile);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code) => reject(new Error(`fake National Genome Database exited (${code}) before listening`));
    child.once('exit', onExit);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.off('exit', onExit);
      const { url } = JSON.parse(out.slice(0, nl));
      const json = async (method, p, body) => {
        const r = await fetch(url + p, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return r.json();
      };
      resolve({
        url,
        pid: child.pid,
        port: Number(new URL(url).port),
        control: (c) => json('POST', '/_control', c),
        reset: () => json('POST', '/_reset', {}),
        count: async (identifier, type) =>
          (await json('GET', `/_count?identifier=${encodeURIComponent(identifier)}${type ? `&type=${type}` : ''}`)).count,
        received: async (identifier) => (await json('GET', `/_received?identifier=${encodeURIComponent(identifier)}`)).count,
        stats: () => json('GET', '/_stats'),
        resources: (type) => json('GET', `/_resources${type ? `?type=${type}` : ''}`),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

module.exports = { createFakeServer, startFakeNgcDatabase };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stateFile = arg('--state-file');
  if (stateFile) fs.mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true });
  const server = createFakeServer({ stateFile });
  server.listen(Number(arg('--port') ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
