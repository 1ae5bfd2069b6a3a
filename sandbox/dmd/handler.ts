// The dm+d stand-in: a terminology server (FHIR R4, the shape of the NHS England Terminology
// Server, which serves dm+d as the code system https://dmd.nhs.uk) on `/terminology/fhir`, over
// the published dm+d extract (release.ts). Read-only: $lookup, $expand, and a `batch` Bundle of
// them in one POST, which is how a client asks for many codes in one call.
import { FHIR_JSON, headerValue, operationOutcome } from '../http-util.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../upstream.js';
import { expand, lookup, type OperationAnswer } from './operations.js';
import { loadDmdRelease, type DmdRelease } from './release.js';

export const DMD_BASE_PATH = '/terminology/fhir';
/** Entries one batch may hold; a larger Bundle is refused whole (the client sends smaller ones). */
export const MAX_BATCH_ENTRIES = 100;

const ROUTES = {
  lookup: '/CodeSystem/$lookup',
  expand: '/ValueSet/$expand',
  batch: '/',
} as const;

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
};

export function createDmdUpstream(release: DmdRelease = loadDmdRelease()): Upstream {
  const headers = (request: UpstreamRequest): Record<string, string> => {
    const out: Record<string, string> = { 'Content-Type': FHIR_JSON };
    const correlationId = headerValue(request.headers['x-correlation-id']);
    if (correlationId !== null) out['X-Correlation-ID'] = correlationId;
    return out;
  };
  const answer = (request: UpstreamRequest, result: OperationAnswer): UpstreamResponse => ({
    ...result,
    headers: headers(request),
  });

  /** One read, by the path and query below the base (`CodeSystem/$lookup?…`). */
  const read = (path: string, query: URLSearchParams): OperationAnswer => {
    const normalised = path.startsWith('/') ? path : `/${path}`;
    if (normalised === ROUTES.lookup) return lookup(release, query);
    if (normalised === ROUTES.expand) return expand(release, query);
    return { status: 404, body: operationOutcome('not-supported', `No dm+d route for GET ${normalised}`) };
  };

  const batch = (request: UpstreamRequest): UpstreamResponse => {
    const bundle = parseBatch(request.body);
    if (typeof bundle === 'string')
      return answer(request, { status: 400, body: operationOutcome('invalid', bundle) });
    const entry = bundle.map((item) => {
      if (item.method !== 'GET') {
        return entryOf({
          status: 405,
          body: operationOutcome('not-supported', `Batch entries may only read (GET), not ${item.method}`),
        });
      }
      const at = item.url.indexOf('?');
      const path = at < 0 ? item.url : item.url.slice(0, at);
      const query = new URLSearchParams(at < 0 ? '' : item.url.slice(at + 1));
      return entryOf(read(path, query));
    });
    return answer(request, {
      status: 200,
      body: { resourceType: 'Bundle', type: 'batch-response', entry },
    });
  };

  return {
    name: 'dmd',
    basePath: DMD_BASE_PATH,
    route(_method, path) {
      if (path === ROUTES.lookup) return ROUTES.lookup;
      if (path === ROUTES.expand) return ROUTES.expand;
      if (path === ROUTES.batch) return ROUTES.batch;
      return null;
    },
    handle(request, route) {
      const allowed = route === ROUTES.batch ? 'POST' : 'GET';
      if (request.method !== allowed) {
        const diagnostics = `HTTP method ${request.method} is not allowed on ${route}`;
        return {
          status: 405,
          headers: { ...headers(request), Allow: allowed },
          body: operationOutcome('not-supported', diagnostics),
        };
      }
      if (route === ROUTES.batch) return batch(request);
      return answer(request, read(route, request.query));
    },
  };
}

/** A batch-response entry: the resource on success, the OperationOutcome as `response.outcome` otherwise. */
function entryOf(result: OperationAnswer): unknown {
  const status = `${result.status} ${REASONS[result.status] ?? ''}`.trim();
  return result.status === 200
    ? { resource: result.body, response: { status } }
    : { response: { status, outcome: result.body } };
}

/** The entries' requests, or why the body is not a batch Bundle the stand-in can answer. */
function parseBatch(body: string | undefined): Array<{ method: string; url: string }> | string {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return 'The request body is not JSON';
  }
  if (typeof json !== 'object' || json === null) return 'The request body is not a FHIR resource';
  const bundle = json as { resourceType?: unknown; type?: unknown; entry?: unknown };
  if (bundle.resourceType !== 'Bundle') return 'Expected a Bundle resource';
  if (bundle.type !== 'batch') return 'Only Bundles of type "batch" are processed here';
  const entries = bundle.entry === undefined ? [] : bundle.entry;
  if (!Array.isArray(entries)) return 'Bundle.entry must be a list';
  if (entries.length > MAX_BATCH_ENTRIES) return `A batch may hold at most ${MAX_BATCH_ENTRIES} entries`;
  const requests: Array<{ method: string; url: string }> = [];
  for (const [index, entry] of entries.entries()) {
    const request = (entry as { request?: { method?: unknown; url?: unknown } } | null)?.request;
    if (typeof request?.method !== 'string' || typeof request.url !== 'string') {
      return `Bundle.entry[${index}].request needs a method and a url`;
    }
    requests.push({ method: request.method, url: request.url });
  }
  return requests;
}
