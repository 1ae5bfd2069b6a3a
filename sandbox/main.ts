// Entry point: `node --import tsx sandbox/main.ts`. Env: SANDBOX_PORT (default 4010),
// SANDBOX_SEED (default 42), SANDBOX_SYNTHETIC_PATIENTS (default 1000), SANDBOX_PDS_LATENCY_MS,
// SANDBOX_FAULTS (JSON per upstream, e.g. `{"pds":{"errorRate":0.2,"retryAfterSeconds":2}}`; see
// faults.ts and README.md).
import { startSandbox, type SandboxOptions } from './server.js';

function faultsFromEnv(): NonNullable<SandboxOptions['faults']> {
  const raw = process.env['SANDBOX_FAULTS'];
  const parsed: unknown = raw === undefined || raw === '' ? {} : JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RangeError('SANDBOX_FAULTS must be a JSON object keyed by upstream, e.g. {"pds":{...}}');
  // Each upstream's config is validated by startSandbox (FaultConfigSchema); a bad one stops start-up.
  return parsed;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new RangeError(`${name} must be a non-negative integer, got '${raw}'`);
  return Number(raw);
}

const port = intFromEnv('SANDBOX_PORT', 4010);
const options: SandboxOptions = {
  seed: intFromEnv('SANDBOX_SEED', 42),
  syntheticPatients: intFromEnv('SANDBOX_SYNTHETIC_PATIENTS', 1000),
  faults: (() => {
    const faults = faultsFromEnv();
    const latencyMs = intFromEnv('SANDBOX_PDS_LATENCY_MS', 0);
    return latencyMs > 0 ? { ...faults, pds: { ...faults.pds, latencyMs } } : faults;
  })(),
};

const sandbox = await startSandbox(port, options);
console.log(
  `nhs-graph sandbox listening on ${sandbox.url} (PDS at ${sandbox.url}/personal-demographics/FHIR/R4)`,
);
console.log(
  `token issuers at ${sandbox.url}/identity/{nhs-login,cis2,partners}; mint with \`npm run token -- <profile>\``,
);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing sandbox`);
  // A close that hangs (a client holding a connection) cannot keep the sandbox up.
  setTimeout(() => {
    console.error('sandbox did not close within 10 s; exiting anyway');
    process.exit(1);
  }, 10_000).unref();
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('sandbox failed to close cleanly', error);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
