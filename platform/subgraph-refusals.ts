// How a subgraph refuses a request the gateway would not have sent, or one it may not run: a
// coded JSON error, and nothing executed or audited.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from './errors.js';

export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** Apollo Server's own code for a malformed HTTP request (declared in platform/errors.ts). */
const BAD_REQUEST = ErrorCode.BAD_REQUEST;

export const UNAUTHENTICATED: Refusal = {
  status: 401,
  code: ErrorCode.UNAUTHENTICATED,
  message: 'Subgraphs answer only the nhs-graph gateway.',
};
export const UNKNOWN_PATH: Refusal = {
  status: 404,
  code: ErrorCode.NOT_FOUND,
  message: 'A subgraph answers GraphQL at /graphql only.',
};
export const OVERLOADED: Refusal = {
  status: 503,
  code: ErrorCode.OVERLOADED,
  message: 'This subgraph cannot take more requests just now; try again shortly.',
  headers: { 'retry-after': '1' },
};

/** Why a /graphql request is not one the gateway sends (POST, JSON, no query string), or null. */
export function requestShapeRefusal(req: IncomingMessage, url: URL): Refusal | null {
  if (req.method !== 'POST') {
    return {
      status: 405,
      code: ErrorCode.METHOD_NOT_ALLOWED,
      message: 'Subgraphs accept only POST.',
      headers: { allow: 'POST' },
    };
  }
  if (url.search !== '' || req.url?.includes('?')) {
    return { status: 400, code: BAD_REQUEST, message: 'Subgraphs take nothing from the query string.' };
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return { status: 415, code: BAD_REQUEST, message: 'Subgraphs accept only application/json.' };
  }
  return null;
}

export function refuse(res: ServerResponse, refusal: Refusal): void {
  res
    .writeHead(refusal.status, { 'content-type': 'application/json', ...refusal.headers })
    .end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }));
}
