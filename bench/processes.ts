// Child processes of the benchmark: started as the product's own processes are (compiled, with
// plain node, under `npm run bench`; platform/paths.ts), waited for until they answer, stopped
// with SIGTERM (so a --cpu-prof run writes its profile).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT, entryPointArgs } from '../platform/paths.js';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The end of its stderr, to say why it died. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export function startChild(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Child {
  const child = spawn(process.execPath, [...nodeArgs, ...entryPointArgs(script)], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = `${tail}${chunk.toString()}`.slice(-4000);
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return {
    name,
    process: child,
    pid: child.pid,
    stderrTail: () => tail,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls `probe` until it resolves true, failing early if the child dies. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  child?: Child,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && (child.process.exitCode !== null || child.process.signalCode !== null)) {
      throw new Error(
        `${child.name} exited (${child.process.exitCode ?? child.process.signalCode}) before ${what}\n${child.stderrTail()}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out waiting for ${what}${reason}\n${child?.stderrTail() ?? ''}`);
}

export const httpOk = (url: string) => async () => (await fetch(url)).ok;

export { freePort } from '../scripts/free-port.js';

/**
 * The pid of a process this one started (directly or through a child) whose command line
 * contains `needle`, e.g. `gateway/main.ts` for the gateway that scripts/stack.ts started.
 */
export function findDescendantPid(needle: string): number | undefined {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone already
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (
      let current = parents.get(pid);
      current !== undefined && current > 1;
      current = parents.get(current)
    ) {
      if (current === process.pid) return true;
    }
    return false;
  };
  for (const pid of parents.keys()) {
    if (!isDescendant(pid)) continue;
    try {
      // Named by source path; a compiled process runs the same path as .js under dist/.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .map((arg) => arg.replace(/\.js$/, '.ts'))
        .join(' ');
      if (cmdline.includes(needle)) return pid;
    } catch {
      // gone already
    }
  }
  return undefined;
}
