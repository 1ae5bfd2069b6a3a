// One whole stack per end-to-end test file (scripts/stack.ts: sandbox, every subgraph, gateway,
// each its own process on free ports): started before the file's tests, stopped after them, and
// the sandbox reset before each test unless the file says otherwise. Quiet and NODE_ENV=test by
// default, with a Redis key prefix of its own so files sharing one Redis (CI) never share keys,
// and an embedded audit folder of its own in the temporary directory (never the working tree).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack } from '../scripts/stack.js';
import { resetSandbox } from './sandbox-client.js';
import { bearer, mintToken, type MintOptions, type Profile } from './tokens.js';

export interface TestStack extends RunningStack {
  /** Authorization headers with a fresh sandbox token for this profile. */
  bearer(profile: Profile, options?: MintOptions): Promise<Record<string, string>>;
}

export interface TestStackOptions {
  /** `capture` keeps the processes' log lines for `logs()`. */
  stdio?: 'ignore' | 'capture';
  /** Reset the sandbox (request log, faults, data) before each test; default true. */
  resetBeforeEach?: boolean;
}

/** Call at the top of a test file; the returned stack reads the running one. */
export function useTestStack(env: NodeJS.ProcessEnv = {}, options: TestStackOptions = {}): TestStack {
  let running: RunningStack | undefined;
  let auditDir: string | undefined;
  const current = (): RunningStack => {
    if (running === undefined) throw new Error('the test stack is not running (used outside a test?)');
    return running;
  };

  beforeAll(async () => {
    auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-e2e-audit-'));
    running = await startStack({
      freePorts: true,
      stdio: options.stdio ?? 'ignore',
      env: {
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        REDIS_KEY_PREFIX: `nhs-graph-e2e-${randomUUID()}:`,
        AUDIT_DIR: auditDir,
        ...env,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    if (auditDir) rmSync(auditDir, { recursive: true, force: true });
  });
  if (options.resetBeforeEach ?? true) beforeEach(() => resetSandbox(current().sandboxUrl));

  return {
    get gatewayUrl() {
      return current().gatewayUrl;
    },
    get sandboxUrl() {
      return current().sandboxUrl;
    },
    get subgraphUrls() {
      return current().subgraphUrls;
    },
    logs: () => current().logs(),
    pids: () => current().pids(),
    stop: () => current().stop(),
    bearer: async (profile, mintOptions) =>
      bearer(await mintToken(current().sandboxUrl, profile, mintOptions)),
  };
}
