// The token CLI as a developer runs it: a real child process against a real sandbox.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startSandbox, type Sandbox } from '../sandbox/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JWT_LINE = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx scripts/token.ts …`, without jest's NODE_OPTIONS. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
      cwd: ROOT,
      env: { ...inherited, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('npm run token', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0, { syntheticPatients: 10 });
  });
  afterAll(() => sandbox.close());

  it('prints exactly one verifiable JWT line for the citizen asked for', async () => {
    const run = await runCli([
      'citizen',
      '--nhs-number',
      '9000000017',
      '--level',
      'P5',
      '--sandbox-url',
      sandbox.url,
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(JWT_LINE);
    const issuer = `${sandbox.url}/identity/nhs-login`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(run.stdout.trim(), jwks, {
      issuer,
      audience: 'nhs-graph',
      algorithms: ['RS512'],
    });
    expect(payload).toMatchObject({
      nhs_number: '9000000017',
      identity_proofing_level: 'P5',
      vot: 'P5.Cp.Cd',
    });
  });

  it('passes the partner, staff and lifetime options through, and finds the sandbox from SANDBOX_PORT', async () => {
    const port = new URL(sandbox.url).port;
    const run = await runCli(
      ['partner', '--client-id', 'acme', '--scopes', 'organisation.read', '--expires-in', '120'],
      {
        SANDBOX_PORT: port,
      },
    );
    expect(run.code).toBe(0);
    const [, body = ''] = run.stdout.trim().split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, number | string>;
    expect(claims).toMatchObject({ client_id: 'acme', scope: 'organisation.read' });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(120);

    const staff = await runCli(['clerk', '--org', 'A81001', '--audience', 'x', '--sandbox-url', sandbox.url]);
    expect(staff.code).toBe(0);
    expect(staff.stdout).toMatch(JWT_LINE);
  });

  it('mints an already expired token with `--expires-in -60`, as the README writes it', async () => {
    const run = await runCli(['clerk', '--expires-in', '-60', '--sandbox-url', sandbox.url]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [, body = ''] = run.stdout.trim().split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, number>;
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(-60);
  });

  it('exits 2 with a message on stderr for an unknown profile', async () => {
    const run = await runCli(['doctor', '--sandbox-url', sandbox.url]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/unknown profile 'doctor'.*citizen, clinician, clerk, partner, ig-officer/);
  });

  it('exits 2 for a bad option, and for options the sandbox refuses', async () => {
    const unknown = await runCli(['citizen', '--nhs', '9000000009']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/--nhs/);
    const refused = await runCli(['clinician', '--nhs-number', '9000000009', '--sandbox-url', sandbox.url]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/citizen only/);
  });

  it('tells you to start the stack when the sandbox is not running', async () => {
    const run = await runCli(['citizen', '--sandbox-url', `http://127.0.0.1:${await closedPort()}`]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('Start the stack first with `npm start`');
  });

  it('prints usage for --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run --silent token -- <profile>/);
  });
});
