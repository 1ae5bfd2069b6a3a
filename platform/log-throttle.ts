// One failing dependency (Redis down) fails every operation that touches it: a warning per
// operation would bury the logs under copies of one fact. A throttled warning logs the first
// occurrence, then at most one line per interval carrying how many it held back.
import type { Logger } from './logger.js';

/** Long enough to keep an outage to a line a minute, short enough to show it is still going on. */
export const WARNING_INTERVAL_MS = 60_000;

export function throttledWarning(
  logger: Logger,
  message: string,
  intervalMs: number = WARNING_INTERVAL_MS,
  now: () => number = Date.now,
): (fields: Record<string, unknown>) => void {
  let lastLoggedAt = -Infinity;
  let heldBack = 0;
  return (fields) => {
    if (now() - lastLoggedAt < intervalMs) {
      heldBack += 1;
      return;
    }
    logger.warn(heldBack > 0 ? { ...fields, suppressed: heldBack } : fields, message);
    lastLoggedAt = now();
    heldBack = 0;
  };
}
