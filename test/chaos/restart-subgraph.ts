// Starts one subgraph again on its port when the stack did not (no supervisor yet): the chaos run
// then still measures the later phases, and reports that the restart was its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { portVariable, urlVariable } from '../../platform/manifest.js';
import { entryPointArgs, PROJECT_ROOT } from '../../platform/paths.js';
import type { RunningStack } from '../../scripts/stack.js';

/** The environment startStack gave its processes: the run's own settings plus the ports it chose. */
export function stackEnvironment(stack: RunningStack, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ports: NodeJS.ProcessEnv = {
    PORT: new URL(stack.gatewayUrl).port,
    SANDBOX_PORT: new URL(stack.sandboxUrl).port,
  };
  for (const [name, url] of Object.entries(stack.subgraphUrls)) {
    ports[portVariable({ name })] = new URL(url).port;
    ports[urlVariable({ name })] = url;
  }
  return { ...process.env, ...env, ...ports };
}

export function restartSubgraph(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...entryPointArgs('subgraphs/main.ts'), name], {
    cwd: PROJECT_ROOT,
    env,
    stdio: 'ignore',
  });
}
