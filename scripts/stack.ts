// Starts the whole stack as separate processes, as production runs it: the sandbox upstreams,
// every subgraph, then the gateway, each waited for on its /health. Used by `npm start` and by
// the end-to-end tests (which ask for free ports). Once up, every process is supervised
// (scripts/supervisor.ts): one that exits on its own is restarted with back-off; stop() is final.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { Supervisor, type ManagedProcess } from './supervisor.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { createLogger } from '../platform/logger.js';
import { portVariable, urlVariable } from '../platform/manifest.js';
import { PROJECT_ROOT, entryPointArgs } from '../platform/paths.js';
import { loadSystemConfig } from './system-config.js';
import { subgraphRegistry } from '../subgraphs/registry.js';

export interface StackOptions {
  /** Use free ports instead of the configured defaults (for tests). */
  freePorts?: boolean;
  /** Extra environment for every process (e.g. LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
  /** Where child output goes: inherited (npm start), discarded, or kept for `logs()` (tests). */
  stdio?: 'inherit' | 'ignore' | 'capture';
}

export interface RunningStack {
  gatewayUrl: string;
  sandboxUrl: string;
  subgraphUrls: Record<string, string>;
  /** Log lines the processes wrote to stdout (with `stdio: 'capture'`), oldest first. */
  logs(): string[];
  /**
   * The current pid of each process by name (`sandbox`, `gateway`, each subgraph's name), for
   * tests that kill one; a restarted process has a new pid.
   */
  pids(): Record<string, number | undefined>;
  /** Stops every process; nothing is restarted after this. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  // Free ports are only free when asked: another stack starting at the same moment (parallel test
  // files) can take one first. Our process then exits (EADDRINUSE) while the other stack's answers
  // our health check, so a start with free ports is checked at the end and tried again.
  const attempts = options.freePorts ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= attempts) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startStackOnce(options: StackOptions): Promise<RunningStack> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.freePorts) await assignFreePorts(env);
  // Every process's variables at once: one error naming every bad variable, before anything starts.
  loadSystemConfig(env);
  const config = loadGatewayConfig(env);
  const processes: ManagedProcess[] = [];
  const children = () => processes.map((managed) => managed.child);
  const supervisor = new Supervisor(createLogger('stack-supervisor', env['LOG_LEVEL'] ?? 'info'));
  const launch = (name: string, script: string, args: string[] = []): void => {
    const start = () => run(script, args, env, options);
    processes.push({ name, child: start(), start });
  };
  const stop = () => {
    supervisor.stop();
    return stopAll(children());
  };
  try {
    launch('sandbox', 'sandbox/main.ts');
    await waitForHealth(`${config.sandbox.url}/health`, children());
    for (const { name } of subgraphRegistry) launch(name, 'subgraphs/main.ts', [name]);
    const subgraphUrls = Object.fromEntries(
      Object.entries(config.subgraphs).map(([name, { url }]) => [name, url]),
    );
    for (const url of Object.values(subgraphUrls))
      await waitForHealth(url.replace(/\/graphql$/, '/health'), children());
    const gatewayBase = `http://127.0.0.1:${config.gateway.port}`;
    launch('gateway', 'gateway/main.ts');
    await waitForHealth(`${gatewayBase}/health`, children());
    // Every health check must have been answered by our own processes: none may have exited.
    const exited = children().find((child) => child.exitCode !== null);
    if (exited) throw new PortTakenError(`${processNames.get(exited)} exited while starting`);
    for (const managed of processes) supervisor.supervise(managed);
    return {
      gatewayUrl: `${gatewayBase}/graphql`,
      sandboxUrl: config.sandbox.url,
      subgraphUrls,
      logs: () => [...logLines],
      pids: () => Object.fromEntries(processes.map((managed) => [managed.name, managed.child.pid])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function assignFreePorts(env: NodeJS.ProcessEnv): Promise<void> {
  env['PORT'] = String(await freePort());
  env['SANDBOX_PORT'] = String(await freePort());
  for (const manifest of subgraphRegistry) {
    const subgraphPort = await freePort();
    env[portVariable(manifest)] = String(subgraphPort);
    env[urlVariable(manifest)] = `http://127.0.0.1:${subgraphPort}/graphql`;
  }
}

const stderrTails = new WeakMap<ChildProcess, string>();
/** What each child runs (`subgraphs/main.ts demographics`), to say which one died. */
const processNames = new WeakMap<ChildProcess, string>();
/** Captured stdout lines, bounded so a long run cannot exhaust memory. */
const logLines: string[] = [];
const MAX_LOG_LINES = 20_000;

function run(script: string, args: string[], env: NodeJS.ProcessEnv, options: StackOptions): ChildProcess {
  const quiet = options.stdio === 'ignore' || options.stdio === 'capture';
  const child = spawn(process.execPath, [...entryPointArgs(script), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: quiet ? ['ignore', options.stdio === 'capture' ? 'pipe' : 'ignore', 'pipe'] : 'inherit',
  });
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = `${partial}${chunk.toString()}`.split('\n');
    partial = lines.pop() ?? '';
    logLines.push(...lines.filter(Boolean));
    if (logLines.length > MAX_LOG_LINES) logLines.splice(0, logLines.length - MAX_LOG_LINES);
  });
  // Keep the end of a quiet child's stderr, so a process that dies at start says why.
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTails.set(child, `${stderrTails.get(child) ?? ''}${chunk.toString()}`.slice(-2000));
  });
  processNames.set(child, [script, ...args].join(' '));
  return child;
}

async function waitForHealth(url: string, children: ChildProcess[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead) {
      const name = processNames.get(dead);
      const stderr = stderrTails.get(dead) ?? '';
      const message = `${name} exited with code ${dead.exitCode}\n${stderr}`;
      throw stderr.includes('EADDRINUSE') ? new PortTakenError(message) : new Error(message);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${url}`);
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.reverse().map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
}
