// Admission control at the gateway's door: at most `maxConcurrent` GraphQL requests execute at
// once; the rest wait their turn, first come first served, in a bounded queue, and beyond it are
// refused at once with 503 + Retry-After (`OVERLOADED`). On two cores, executing more requests at
// once does not serve more of them per second; it only holds more intermediate results in memory
// (and in garbage collection), so a bounded number keeps the process's memory predictable under
// load. Health, readiness and metrics never queue. A request whose client leaves while it waits
// is dropped without running.
import type { IncomingMessage, ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import type { AdmissionLimits } from './config.js';
import { ErrorCode } from '../platform/errors.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const UNQUEUED_PATHS = new Set(['/health', '/ready', '/metrics']);

const OVERLOADED_BODY = JSON.stringify({
  errors: [
    {
      message: 'nhs-graph is busy just now; try again shortly.',
      extensions: { code: ErrorCode.OVERLOADED, retryAfter: 1 },
    },
  ],
});

export function withAdmission(
  limits: Pick<AdmissionLimits, 'maxConcurrent' | 'maxQueued'>,
  next: Listener,
): Listener {
  const limit = pLimit(limits.maxConcurrent);
  return (req, res) => {
    if (UNQUEUED_PATHS.has(new URL(req.url ?? '/', 'http://gateway.local').pathname)) {
      next(req, res);
      return;
    }
    if (limit.activeCount >= limits.maxConcurrent && limit.pendingCount >= limits.maxQueued) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(OVERLOADED_BODY);
      return;
    }
    void limit(
      () =>
        new Promise<void>((resolve) => {
          if (req.destroyed || res.destroyed) return resolve();
          res.once('close', resolve);
          next(req, res);
        }),
    );
  };
}
