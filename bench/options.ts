// Benchmark settings, read once from the environment (the product's platform/config.ts is for
// the product; the benchmark has its own small set). Timing goals are reported, never asserted.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../platform/paths.js';

export const GATEWAY_NAMES = [
  'nhs-graph',
  'nhs-graph-bounded',
  'hive-gateway-rust',
  'hive-gateway',
  'apollo-gateway',
] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];
export const SCENARIO_NAMES = ['overhead', 'summary'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  /** BENCH_QUICK=1: ~2 s per run, for the smoke test and development. */
  quick: boolean;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  scenarios: ScenarioName[];
  gateways: GatewayName[];
  /** Added upstream latency per PDS call in the patient-summary scenario. */
  latencyMs: number;
  /** Distinct valid tokens, rotated per request. */
  tokenPool: number;
  /**
   * Times each gateway is measured in the overhead scenario, in alternating order (A..D, D..A, ...)
   * so drift in the shared machine's load falls on every gateway alike; the best round is reported.
   */
  rounds: number;
  /** Sequential requests used to count subgraph/upstream calls per operation exactly. */
  probeRequests: number;
  /** A short `--cpu-prof` run of the nhs-graph gateway after the overhead measurements. */
  profile: boolean;
  profileSeconds: number;
  /** Let the benchmark subgraphs memoise answers by request body (they are static). */
  subgraphMemo: boolean;
  /** Extra node flags for every gateway process alike (BENCH_GATEWAY_NODE_ARGS), for experiments. */
  gatewayNodeArgs: string[];
  resultsDir: string;
}

const DEFAULT_RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new RangeError(`${name} must be a number >= ${min}, got '${raw}'`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
}

/** Node flags from a space-separated variable. */
const nodeArgs = (env: NodeJS.ProcessEnv, name: string, fallback: string): string[] =>
  (env[name] ?? fallback).split(/\s+/).filter(Boolean);

function list<T extends string>(env: NodeJS.ProcessEnv, name: string, known: readonly T[]): T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [...known];
  const wanted = raw.split(',').map((item) => item.trim());
  const unknown = wanted.filter((item) => !known.includes(item as T));
  if (unknown.length)
    throw new RangeError(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return known.filter((item) => wanted.includes(item));
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = flag(env, 'BENCH_QUICK', false);
  return {
    quick,
    warmupSeconds: number(env, 'BENCH_WARMUP_SECONDS', quick ? 1 : 3),
    durationSeconds: number(env, 'BENCH_DURATION_SECONDS', quick ? 2 : 10, 1),
    connections: number(env, 'BENCH_CONNECTIONS', 50, 1),
    scenarios: list(env, 'BENCH_SCENARIOS', SCENARIO_NAMES),
    gateways: list(env, 'BENCH_GATEWAYS', GATEWAY_NAMES),
    latencyMs: number(env, 'BENCH_LATENCY_MS', 50),
    tokenPool: number(env, 'BENCH_TOKENS', quick ? 20 : 200, 1),
    rounds: number(env, 'BENCH_ROUNDS', quick ? 1 : 2, 1),
    probeRequests: number(env, 'BENCH_PROBE_REQUESTS', quick ? 3 : 20, 1),
    profile: flag(env, 'BENCH_PROFILE', !quick),
    profileSeconds: number(env, 'BENCH_PROFILE_SECONDS', 5, 1),
    subgraphMemo: flag(env, 'BENCH_SUBGRAPH_MEMO', true),
    gatewayNodeArgs: nodeArgs(env, 'BENCH_GATEWAY_NODE_ARGS', ''),
    resultsDir: env['BENCH_RESULTS_DIR'] || DEFAULT_RESULTS_DIR,
  };
}

/**
 * The memory-bounded nhs-graph gateway's settings: node flags (BENCH_BOUNDED_NODE_ARGS, default a
 * 160 MB old space) and requests executing at once (BENCH_BOUNDED_CONCURRENCY, default 8), the
 * best of the settings tried (bench/hot-path.md point 3); settable to try others.
 */
export function boundedGatewaySettings(env: NodeJS.ProcessEnv = process.env): {
  nodeArgs: string[];
  env: { GATEWAY_MAX_CONCURRENT_REQUESTS: string };
} {
  return {
    nodeArgs: nodeArgs(env, 'BENCH_BOUNDED_NODE_ARGS', '--max-old-space-size=160'),
    env: { GATEWAY_MAX_CONCURRENT_REQUESTS: String(number(env, 'BENCH_BOUNDED_CONCURRENCY', 8, 1)) },
  };
}
