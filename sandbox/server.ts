// The local stand-in for the national APIs: one node:http server that serves each upstream on its
// real base path (PDS at /personal-demographics/FHIR/R4), counts and logs what it is asked, adds
// configured latency, and exposes control endpoints (control.ts). Embedded default upstream for
// `npm start` and the tests; production points the subgraphs at the real services instead.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl, type ControlState } from './control.js';
import {
  answerFault,
  FaultConfigSchema,
  UpstreamFaults,
  type FaultConfig,
  type FaultConfigInput,
} from './faults.js';
import {
  delay,
  FHIR_JSON,
  headerValue,
  operationOutcome,
  readBody,
  sendJson,
  splitTarget,
} from './http-util.js';
import { createDmdUpstream } from './dmd/handler.js';
import { createErsUpstream } from './ers/handler.js';
import { createGpConnectUpstream } from './gpconnect/handler.js';
import { createIdentity } from './identity/handler.js';
import { createOdsUpstream } from './ods/handler.js';
import { createPdsUpstream } from './pds/handler.js';
import { RequestLog } from './request-log.js';
import { DEFAULT_SEED, DEFAULT_SYNTHETIC_PATIENTS, generatePeople } from './synthetic.js';
import { UPSTREAM_NAMES, type Upstream, type UpstreamName } from './upstream.js';

export interface SandboxOptions {
  seed?: number;
  syntheticPatients?: number;
  faults?: Partial<Record<UpstreamName, FaultConfigInput>>;
}
export type { UpstreamName };
/** Latency, 503s, 429s, hangs, malformed bodies and `failNext` per upstream (faults.ts). */
export type { FaultConfig };
export interface Sandbox {
  server: import('node:http').Server;
  url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function initialFaults(options: SandboxOptions): Map<UpstreamName, UpstreamFaults> {
  const faults = new Map<UpstreamName, UpstreamFaults>();
  for (const name of UPSTREAM_NAMES) {
    const configured = options.faults?.[name];
    faults.set(
      name,
      new UpstreamFaults(configured === undefined ? { latencyMs: 0 } : FaultConfigSchema.parse(configured)),
    );
  }
  return faults;
}

/** Starts the sandbox on 127.0.0.1; port 0 picks any free port (see `url`). */
export async function startSandbox(port: number, options: SandboxOptions = {}): Promise<Sandbox> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`invalid port: ${port}`);
  const people = generatePeople(
    options.seed ?? DEFAULT_SEED,
    options.syntheticPatients ?? DEFAULT_SYNTHETIC_PATIENTS,
  );
  const upstreams: Upstream[] = [
    createPdsUpstream(people),
    createOdsUpstream(),
    createErsUpstream(),
    createGpConnectUpstream(people),
    createDmdUpstream(),
  ];
  // Token issuers (NHS login, CIS2, partners); issuer URLs need the bound port, set after listen.
  let sandboxUrl = '';
  const identity = await createIdentity({ people, sandboxUrl: () => sandboxUrl });
  const state: ControlState = {
    log: new RequestLog(),
    faults: initialFaults(options),
    resetUpstreams: () => upstreams.forEach((upstream) => upstream.reset?.()),
  };
  // Aborted on close so requests waiting out injected latency do not hold the process open.
  const closing = new AbortController();

  async function serveUpstream(req: IncomingMessage, res: ServerResponse, upstream: Upstream): Promise<void> {
    const { path, query } = splitTarget(req.url);
    const method = req.method ?? 'GET';
    const subPath = path.slice(upstream.basePath.length) || '/';
    const route = upstream.route(method, subPath);
    // In flight at this upstream from arrival until the response is done (or the socket closes).
    const inFlight = state.log.enter(upstream.name);
    res.once('close', () => state.log.leave(upstream.name));
    state.log.record({
      upstream: upstream.name,
      method,
      route: route ?? '*',
      path: req.url ?? path,
      requestId: headerValue(req.headers['x-request-id']),
      correlationId: headerValue(req.headers['x-correlation-id']),
      at: new Date().toISOString(),
      inFlight,
    });
    const faults = state.faults.get(upstream.name);
    const latencyMs = faults?.config.latencyMs ?? 0;
    if (latencyMs > 0) await delay(latencyMs, closing.signal);
    const fault = faults?.decide(method) ?? null;
    if (fault !== null && fault !== 'lostResponse' && faults !== undefined) {
      await answerFault(res, upstream.name, fault, faults.retryAfterSeconds, closing.signal);
      return;
    }
    if (route === null) {
      sendJson(
        res,
        404,
        operationOutcome('not-found', `No ${upstream.name} route for ${method} ${path}`),
        {},
        FHIR_JSON,
      );
      return;
    }
    // POST, PUT and PATCH carry one (e-RS $ers operations, GP Connect bookings, PDS updates).
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
    const answer = upstream.handle({ method, path: subPath, query, headers: req.headers, body }, route);
    if (fault === 'lostResponse' && faults !== undefined) {
      await answerFault(res, upstream.name, fault, faults.retryAfterSeconds, closing.signal);
      return;
    }
    sendJson(res, answer.status, answer.body, answer.headers, answer.headers['Content-Type'] ?? FHIR_JSON);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path } = splitTarget(req.url);
    if (await handleControl(req, res, path, state)) return;
    if (await identity.handle(req, res, path)) return;
    const upstream = upstreams.find((u) => path === u.basePath || path.startsWith(`${u.basePath}/`));
    if (upstream !== undefined) return serveUpstream(req, res, upstream);
    sendJson(
      res,
      404,
      operationOutcome('not-found', `No route for ${req.method ?? 'GET'} ${path}`),
      {},
      FHIR_JSON,
    );
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // Never crash on a bad request: answer 500 if we still can, else drop the connection.
      if (closing.signal.aborted || res.headersSent) return void res.destroy();
      const diagnostics = error instanceof Error ? error.message : 'unexpected error';
      sendJson(res, 500, operationOutcome('exception', diagnostics), {}, FHIR_JSON);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  sandboxUrl = `http://${HOST}:${bound}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      closing.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections(); // keep-alive sockets from fetch would otherwise hold close()
    });
    return closed;
  };

  return { server, url: sandboxUrl, close };
}
