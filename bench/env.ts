// Environment for the benchmark's child processes: this one's, minus what would change how a
// child runs (jest's NODE_OPTIONS, a log level meant for something else).
export const BENCH_INTERNAL_TOKEN_SECRET = 'nhs-graph-benchmark-internal-token-secret-0123456789';
/** Lets the benchmark read the gateway's /metrics, which production keeps behind a token. */
export const BENCH_OPERATIONS_TOKEN = 'nhs-graph-benchmark-operations-token-0123456789';

export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  delete env['LOG_LEVEL'];
  return { ...env, ...extra };
}

/** How nhs-graph's processes run in the benchmark: production settings, default log level. */
export const PRODUCTION_ENV: NodeJS.ProcessEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  INTERNAL_TOKEN_SECRET: BENCH_INTERNAL_TOKEN_SECRET,
  OPERATIONS_TOKEN: BENCH_OPERATIONS_TOKEN,
};

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};
