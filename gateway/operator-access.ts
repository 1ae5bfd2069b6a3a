// GET /metrics and /status (operator-endpoints.ts) are for operators, not the public: in development they
// are open; in production they answer only a request bearing OPERATIONS_TOKEN (401 without it),
// and with no token configured they do not exist (404). Checked on the node listener, before the
// request reaches Hive Gateway or takes an admission slot.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EdgeConfig } from './config.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const OPERATIONS_PATHS = new Set(['/metrics', '/status']);

const digest = (value: string) => createHash('sha256').update(value).digest();

export function withOperationsAccess(access: EdgeConfig['operations'], next: Listener): Listener {
  if (access.open) return next;
  const expected = access.token === null ? null : digest(`Bearer ${access.token}`);
  return (req, res) => {
    if (!OPERATIONS_PATHS.has(new URL(req.url ?? '/', 'http://gateway.local').pathname)) {
      next(req, res);
      return;
    }
    if (expected === null) {
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Not found');
      return;
    }
    // Compared as digests, in constant time, so the comparison says nothing about the token.
    if (timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      next(req, res);
      return;
    }
    res
      .writeHead(401, {
        'content-type': 'text/plain',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer realm="nhs-graph-operations"',
      })
      .end('Unauthorized');
  };
}
