// Structured JSON logs (pino). A child logger per request carries the correlation id.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    // Tokens and personal data never belong in logs; redact the obvious carriers.
    redact: ['req.headers.authorization', 'headers.authorization', '*.authorization'],
  });
}
