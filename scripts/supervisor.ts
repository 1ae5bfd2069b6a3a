// Keeps the stack's processes running, as a process supervisor would: a process that exits on its
// own (crash, OOM kill, a signal from outside) is started again after an exponential back-off, at
// most `maxRestarts` times in a row; a process that has since stayed up `stableAfterMs` starts
// with a clean slate. Every exit, restart and give-up is logged with the process, its exit code
// or signal, the attempt and the next delay. A deliberate stop (`stop()`) restarts nothing.
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../platform/logger.js';

export interface RestartPolicy {
  maxRestarts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  firstDelayMs: 250,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
};

/** The wait before restart `attempt` (1-based): doubling from firstDelayMs, capped at maxDelayMs. */
export const restartDelay = (attempt: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number =>
  Math.min(policy.firstDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);

/** One supervised process: its current child, and how to start another. */
export interface ManagedProcess {
  /** e.g. `sandbox`, `gateway`, or a subgraph's name. */
  readonly name: string;
  child: ChildProcess;
  readonly start: () => ChildProcess;
}

export class Supervisor {
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly logger: Logger,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  /** Watches `managed.child` and each child that replaces it. */
  supervise(managed: ManagedProcess): void {
    let attempt = 0;
    let startedAt = Date.now();
    const watch = (child: ChildProcess): void => {
      child.once('exit', (exitCode, signal) => {
        if (this.stopping) return;
        if (Date.now() - startedAt >= this.policy.stableAfterMs) attempt = 0;
        attempt += 1;
        const exit = { process: managed.name, pid: child.pid, exitCode, signal };
        if (attempt > this.policy.maxRestarts) {
          this.logger.error(
            { ...exit, restarts: attempt - 1 },
            'process keeps exiting; giving up on it (restart the stack)',
          );
          return;
        }
        const nextDelayMs = restartDelay(attempt, this.policy);
        this.logger.warn(
          { ...exit, attempt, maxRestarts: this.policy.maxRestarts, nextDelayMs },
          'process exited; restarting it',
        );
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.stopping) return;
          startedAt = Date.now();
          managed.child = managed.start();
          this.logger.info({ process: managed.name, pid: managed.child.pid, attempt }, 'process restarted');
          watch(managed.child);
        }, nextDelayMs);
        this.timers.add(timer);
      });
    };
    watch(managed.child);
  }

  /** From now on an exit is final: pending restarts are cancelled. */
  stop(): void {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
