// What a GraphQL request must show before it may take an admission slot (admission.ts), so slow
// or anonymous clients cannot hold the slots that serve everyone else (issue 15, item 3):
// 1. a bearer token that verifies (the same authenticator, and cache, the plugin uses). A refused
//    request is answered by the gateway as usual (401 saying why, CORS and security headers)
//    from an empty body, without its own body being read and without a slot; its connection is
//    closed, since its unread body would otherwise stall the next request on it.
// 2. its whole body, within `bodyTimeoutMs`; a body still arriving then is answered 408
//    REQUEST_TIMEOUT and its connection closed. At most one byte past the size limit is kept,
//    so the gateway's own limit (limits.ts) refuses it with 413 as before.
// CORS preflights and anything outside /graphql (health, GraphiQL's page) go straight on; a GET
// has no body, so only its token is checked.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../platform/errors.js';
import type { Authenticate } from './authentication.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface IntakeOptions {
  authenticate: Authenticate;
  bodyTimeoutMs: number;
  maxBodyBytes: number;
}

const TIMEOUT_BODY = JSON.stringify({
  errors: [
    {
      message: 'The request body did not arrive in time.',
      extensions: { code: ErrorCode.REQUEST_TIMEOUT },
    },
  ],
});

/**
 * `refuse`: hands a request on without a slot; `admit`: takes a slot. Both get the node request,
 * whose `body` (as whatwg-node reads it) is already the whole body when there was one.
 */
export function withRequestIntake(options: IntakeOptions, refuse: Listener, admit: Listener): Listener {
  return (req, res) => {
    if (!needsIntake(req)) {
      admit(req, res);
      return;
    }
    void options.authenticate(headerValue(req.headers.authorization) ?? null).then(
      (result) => {
        if ('refused' in result) {
          if (req.method === 'POST') {
            res.setHeader('connection', 'close');
            withBody(req, '{}');
          }
          refuse(req, res);
          return;
        }
        if (req.method !== 'POST') {
          admit(req, res);
          return;
        }
        readBody(req, options).then(
          (body) => {
            if (body === 'timeout') {
              res
                .writeHead(408, {
                  'content-type': 'application/json',
                  'cache-control': 'no-store',
                  connection: 'close',
                })
                .end(TIMEOUT_BODY);
              return;
            }
            if (body.length > 0) withBody(req, body);
            admit(req, res);
          },
          () => req.destroy(),
        );
      },
      () => req.destroy(),
    );
  };
}

function needsIntake(req: IncomingMessage): boolean {
  if (new URL(req.url ?? '/', 'http://gateway.local').pathname !== '/graphql') return false;
  if (req.method === 'POST') return true;
  return req.method === 'GET' && !(req.headers.accept ?? '').includes('text/html');
}

/** whatwg-node takes a request's `body`, when set, instead of reading the stream (as for Express). */
function withBody(req: IncomingMessage, body: Buffer | string): void {
  delete req.headers['content-length'];
  delete req.headers['transfer-encoding'];
  (req as IncomingMessage & { body?: Buffer | string }).body = body;
}

function readBody(req: IncomingMessage, { bodyTimeoutMs, maxBodyBytes }: IntakeOptions) {
  return new Promise<Buffer | 'timeout'>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const finish = (result: Buffer | 'timeout') => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', reject);
      if (result === 'timeout' || bytes > maxBodyBytes) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > maxBodyBytes) finish(Buffer.concat(chunks).subarray(0, maxBodyBytes + 1));
    };
    const onEnd = () => finish(Buffer.concat(chunks));
    const timer = setTimeout(() => finish('timeout'), bodyTimeoutMs);
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
