// Graceful shutdown for every process: stop taking requests, finish in-flight ones, close shared
// connections, then exit. A close that hangs (a Redis client waiting for a server that is gone, a
// client holding a connection open) cannot keep the process up: after SHUTDOWN_DEADLINE_MS it
// exits anyway, and says so.
import type { Logger } from './logger.js';

/** Long enough for in-flight requests (upstream timeouts are shorter), short enough for a deploy. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

export function runUntilSignal(
  close: () => Promise<void>,
  logger: Logger,
  deadlineMs: number = SHUTDOWN_DEADLINE_MS,
): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ signal, deadlineMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, deadlineMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
