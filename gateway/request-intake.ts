// What a GraphQL request must show before it may take an admission slot (admission.ts), so slow
// or anonymous clients cannot hold the slots that serve everyone else (issue 15, item 3):
// 1. a bearer token that verifies (the same authenticator, and cache, the plugin uses). A refused
//    request is answered by the gateway as usual (401 saying why, CORS and security headers)
//    from an empty body, without its own body being read and without a slot; its connection is
//    closed, since its unread body would otherwise stall the next request on it.
// 2. then it is admitted; a body still arriving `bodyTimeoutMs` after its headers is answered
//    408 REQUEST_TIMEOUT and its connection closed, freeing its slot. (Reading the whole body
//    before admission and handing it to Hive as `req.body` left Hive waiting; not done yet.)
// CORS preflights and anything outside /graphql (health, GraphiQL's page) go straight on; a GET
// has no body, so only its token is checked.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../platform/errors.js';
import type { Authenticate } from './authentication.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface IntakeOptions {
  authenticate: Authenticate;
  bodyTimeoutMs: number;
}

const TIMEOUT_BODY = JSON.stringify({
  errors: [
    {
      message: 'The request body did not arrive in time.',
      extensions: { code: ErrorCode.REQUEST_TIMEOUT },
    },
  ],
});

/** `refuse`: hands a request on without a slot; `admit`: takes a slot. */
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
        if (req.method === 'POST') watchBodyDeadline(req, res, options.bodyTimeoutMs);
        admit(req, res);
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
function withBody(req: IncomingMessage, body: string): void {
  delete req.headers['content-length'];
  delete req.headers['transfer-encoding'];
  (req as IncomingMessage & { body?: string }).body = body;
}

/**
 * A body still arriving `bodyTimeoutMs` after its headers is answered 408 and its connection
 * closed, freeing the admission slot it holds while the gateway waits for it.
 */
function watchBodyDeadline(req: IncomingMessage, res: ServerResponse, bodyTimeoutMs: number): void {
  const timer = setTimeout(() => {
    if (req.complete || res.headersSent) return;
    res
      .writeHead(408, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        connection: 'close',
      })
      .end(TIMEOUT_BODY, () => req.socket.destroy());
  }, bodyTimeoutMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  res.once('close', () => clearTimeout(timer));
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
