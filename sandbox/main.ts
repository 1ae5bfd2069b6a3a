// Entry point: `node --import tsx sandbox/main.ts`. Env: SANDBOX_PORT (default 4010),
// SANDBOX_SEED (default 42), SANDBOX_SYNTHETIC_PATIENTS (default 1000), SANDBOX_PDS_LATENCY_MS.
import { startSandbox, type SandboxOptions } from './server.js';

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
  faults: { pds: { latencyMs: intFromEnv('SANDBOX_PDS_LATENCY_MS', 0) } },
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
