// Structured JSON logs (pino). A child logger per request carries the correlation id.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

/** The request a line is logged for; every log line inside a request carries its correlation id. */
export const logContext = new AsyncLocalStorage<{ correlationId: string }>();

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    mixin: () => logContext.getStore() ?? {},
    // Tokens and personal data never belong in logs; redact the obvious carriers.
    redact: ['req.headers.authorization', 'headers.authorization', '*.authorization'],
  });
}
