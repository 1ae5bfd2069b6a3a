// The supervisor restarts a process that exits on its own, with growing delays, a bounded number
// of times in a row, and never after stop().
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { createLogger } from '../platform/logger.js';
import { DEFAULT_RESTART_POLICY, restartDelay, Supervisor, type ManagedProcess } from './supervisor.js';

const fakeChild = () =>
  Object.assign(new EventEmitter(), { pid: Math.floor(Math.random() * 1e6) }) as unknown as ChildProcess;
const policy = { maxRestarts: 2, firstDelayMs: 100, maxDelayMs: 1000, stableAfterMs: 60_000 };

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function managed(): ManagedProcess & { starts: number } {
  const process = {
    name: 'medicines',
    child: fakeChild(),
    starts: 0,
    start: () => {
      process.starts += 1;
      return fakeChild();
    },
  };
  return process;
}

it('doubles the delay from the first, up to the cap', () => {
  expect([1, 2, 3, 10, 20].map((n) => restartDelay(n, DEFAULT_RESTART_POLICY))).toEqual([
    250, 500, 1000, 10_000, 10_000,
  ]);
});

it('restarts a process that exited, at most maxRestarts times in a row', () => {
  const supervisor = new Supervisor(createLogger('test', 'silent'), policy);
  const medicines = managed();
  supervisor.supervise(medicines);
  for (let exit = 1; exit <= 3; exit += 1) {
    medicines.child.emit('exit', 1, null);
    jest.advanceTimersByTime(policy.maxDelayMs);
  }
  expect(medicines.starts).toBe(2);
});

it('restarts nothing once stopped, even a restart already scheduled', () => {
  const supervisor = new Supervisor(createLogger('test', 'silent'), policy);
  const medicines = managed();
  supervisor.supervise(medicines);
  medicines.child.emit('exit', null, 'SIGKILL');
  supervisor.stop();
  jest.advanceTimersByTime(policy.maxDelayMs);
  medicines.child.emit('exit', 0, null);
  jest.advanceTimersByTime(policy.maxDelayMs);
  expect(medicines.starts).toBe(0);
});
