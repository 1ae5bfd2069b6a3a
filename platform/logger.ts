// Structured JSON logs (pino). A child logger per request carries the correlation id.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The request a line is logged for; every log line inside a request carries its correlation id. */
export const logContext = new AsyncLocalStorage<{ correlationId: string }>();

/** Lines go to stdout, or to `destination` (tests that read what was logged). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    mixin: () => logContext.getStore() ?? {},
    // Tokens and personal data never belong in logs; redact the obvious carriers.
    redact: ['req.headers.authorization', 'headers.authorization', '*.authorization'],
  };
  return destination ? pino(options, destination) : pino(options);
}
