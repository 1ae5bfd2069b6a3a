// The contract between the sandbox server and each national-service stand-in (pds/, ods/, ers/,
// later gpconnect/, dmd/). The server owns routing by base path, request counting,
// fault injection and the socket; a stand-in only turns a request into a response.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The national services the sandbox stands in for, by the key each subgraph manifest gives its
 * upstream (subgraphs/registry.test.ts checks the two lists agree).
 */
export const UPSTREAM_NAMES = ['pds', 'ods', 'ers', 'gpconnect', 'dmd'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export interface UpstreamRequest {
  method: string;
  /** The path below the upstream's base path, e.g. `/Patient/9000000009`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body as text, for POST operations (e-RS `$ers.fetchworklist`). */
  body?: string | undefined;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialised as JSON. */
  body: unknown;
}

export interface Upstream {
  name: UpstreamName;
  /** Where the real service lives below its host, e.g. `/personal-demographics/FHIR/R4`. */
  basePath: string;
  /** The templated route (`/Patient/{id}`) a request hits, or null for a path it does not serve. */
  route(method: string, path: string): string | null;
  handle(request: UpstreamRequest, route: string): UpstreamResponse;
  /** Forgets what writes changed (the sandbox's /_sandbox/reset); stand-ins without writes omit it. */
  reset?(): void;
}
