// A subgraph with REDIS_URL exits cleanly on SIGTERM (issue 15, item 11): with Redis up, and with
// Redis gone, after a request has used the cache (so its Redis connection is open). Before,
// Apollo's own SIGTERM handler and ours deadlocked its stop(), and the Redis connection kept the
// process alive (20–60 s and more). Exit code 0 means the close finished,
// not the hard deadline (platform/process.ts), which exits 1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../platform/config.js';
import { signInternalToken } from '../platform/internal-token.js';
import { entryPointArgs, PROJECT_ROOT } from '../platform/paths.js';
import { freePort } from '../scripts/free-port.js';
import { clinician } from './principals.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './redis-server.js';

const describeWithRedisServer = hasRedisServer ? describe : describe.skip;

describeWithRedisServer('a subgraph process with REDIS_URL on SIGTERM', () => {
  let redis: PrivateRedis;
  let auditDir: string;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-shutdown-'));
  });
  afterAll(async () => {
    await redis.kill();
    rmSync(auditDir, { recursive: true, force: true });
  });

  /** A medicines query as the gateway sends it: it looks in the reference cache (Redis) first. */
  async function queryMedicine(port: number): Promise<void> {
    const body = JSON.stringify({ query: '{ medicine(code: "323509004") { name } }' });
    const token = await signInternalToken(
      { principal: clinician(), correlationId: 'shutdown-test' },
      { subgraph: 'medicines', method: 'POST', path: '/graphql', body },
      loadConfig({}).internalTokenSecret,
    );
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    await response.text();
  }

  async function startMedicines() {
    const port = await freePort();
    const child = spawn(process.execPath, [...entryPointArgs('subgraphs/main.ts'), 'medicines'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        REDIS_URL: redis.url,
        AUDIT_DIR: auditDir,
        MEDICINES_PORT: String(port),
        // No dm+d here: the query fails upstream at once, after its cache lookup.
        DMD_BASE_URL: 'http://127.0.0.1:9/dmd',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    await new Promise<void>((resolve) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('subgraph ready')) resolve();
      });
    });
    await queryMedicine(port);
    return { child, exited };
  }

  it('exits, having closed everything, with Redis up', async () => {
    const { child, exited } = await startMedicines();
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  }, 60_000);

  it('exits, having closed everything, with Redis unreachable', async () => {
    const { child, exited } = await startMedicines();
    await redis.kill();
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    await redis.start();
  }, 60_000);
});
