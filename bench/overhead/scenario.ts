// Scenario a, gateway overhead: the public graphql-gateways-benchmark's four subgraphs and its
// TestQuery, behind (i) nhs-graph's gateway with its auth and plugins on, (ii) plain Hive
// Gateway with the Rust query planner and (iii) with its JavaScript one, (iv) plain
// @apollo/gateway — each in its own process, one after another, on the
// same supergraph and the same subgraphs, with the same stream of distinct valid tokens.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { childEnv, log, PRODUCTION_ENV } from '../env.js';
import { exactAnswer, runLoad, type LoadResult } from '../load.js';
import { boundedGatewaySettings, type BenchOptions, type GatewayName } from '../options.js';
import { PROJECT_ROOT } from '../../platform/paths.js';
import { freePort, httpOk, startChild, waitUntil, type Child } from '../processes.js';
import { monotonicMicros, summariseCpuProfile, type ProfileSummary } from '../profile.js';
import { composeBenchSupergraph } from '../subgraphs/compose.js';
import { BENCH_SUBGRAPHS, type BenchSubgraphName } from '../subgraphs/schemas.js';
import { citizens, mintTokenPool } from '../tokens.js';
import { TEST_QUERY_BODY, expectedTestQueryResponse } from './query.js';

/**
 * The same nhs-graph gateway configured for memory rather than throughput: a bounded V8 old space
 * and fewer requests executing at once (gateway/admission.ts), as an operator would run it to keep
 * each replica's memory small. Measured beside the default so the trade-off is one run's figures.
 */
export const BOUNDED = boundedGatewaySettings();

/** nhs-graph's planner in this run: its default unless GATEWAY_QUERY_PLANNER says otherwise. */
const OUR_PLANNER = process.env['GATEWAY_QUERY_PLANNER'] === 'js' ? 'JavaScript planner' : 'Rust planner';

export const GATEWAY_LABELS: Record<GatewayName, string> = {
  'nhs-graph': `nhs-graph gateway (auth + plugins on, ${OUR_PLANNER})`,
  'nhs-graph-bounded': `nhs-graph gateway, memory-bounded (${OUR_PLANNER}, ${BOUNDED.nodeArgs.join(' ')}, GATEWAY_MAX_CONCURRENT_REQUESTS=${BOUNDED.env.GATEWAY_MAX_CONCURRENT_REQUESTS})`,
  'hive-gateway-rust': 'plain Hive Gateway runtime, Rust query planner',
  'hive-gateway': 'plain Hive Gateway runtime, JavaScript query planner',
  'apollo-gateway': 'plain @apollo/gateway + @apollo/server',
};

const GATEWAY_SCRIPTS: Record<GatewayName, string> = {
  'nhs-graph': 'bench/gateways/nhs-graph.ts',
  'nhs-graph-bounded': 'bench/gateways/nhs-graph.ts',
  'hive-gateway-rust': 'bench/gateways/hive-gateway-rust.ts',
  'hive-gateway': 'bench/gateways/hive-gateway.ts',
  'apollo-gateway': 'bench/gateways/apollo-gateway.ts',
};

export interface GatewayRun {
  name: GatewayName;
  label: string;
  /** Which round of the alternating order (1-based). */
  round: number;
  load: LoadResult;
  /** Subgraph calls one TestQuery costs, counted over sequential requests (exact). */
  subgraphRequestsPerOperation: number;
  subgraphRequestsByName: Record<string, number>;
  /** The same over the measured window (approximate: requests in flight at the end count). */
  subgraphRequestsPerOperationUnderLoad: number;
}

export interface OverheadResult {
  query: string;
  tokens: string;
  responseBytes: number;
  subgraphMemo: boolean;
  /** Each gateway's best round (highest throughput): the reported figures. */
  runs: GatewayRun[];
  /** Every round of every gateway, in the order measured (errors count from all of them). */
  rounds: GatewayRun[];
  profile?: ProfileSummary & { file: string; connections: number; seconds: number };
}

interface Environment {
  subgraphs: Child;
  subgraphUrls: Record<BenchSubgraphName, string>;
  supergraphPath: string;
  sandbox: Child;
  sandboxPort: number;
  tokens: string[];
  verify: (body: string) => boolean;
  workDir: string;
}

export async function runOverhead(options: BenchOptions): Promise<OverheadResult> {
  const expected = await expectedTestQueryResponse();
  const environment = await setUp(options, exactAnswer(expected));
  try {
    const rounds: GatewayRun[] = [];
    for (const [index, order] of roundOrders(options.gateways, options.rounds).entries())
      for (const name of order) rounds.push(await measureGateway(name, index + 1, environment, options));
    const runs = bestRoundOfEach(options.gateways, rounds);
    const profile =
      options.profile && options.gateways.includes('nhs-graph')
        ? await profileNhsGraph(environment, options)
        : undefined;
    return {
      query: 'TestQuery',
      tokens: 'NHS login (P9) citizens, one sandbox person each',
      responseBytes: JSON.stringify(expected).length,
      subgraphMemo: options.subgraphMemo,
      runs,
      rounds,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await Promise.all([environment.subgraphs.stop(), environment.sandbox.stop()]);
    rmSync(environment.workDir, { recursive: true, force: true });
  }
}

async function setUp(options: BenchOptions, verify: (body: string) => boolean): Promise<Environment> {
  const workDir = mkdtempSync(join(tmpdir(), 'nhs-graph-bench-'));
  const ports = Object.fromEntries(
    await Promise.all(BENCH_SUBGRAPHS.map(async ({ name }) => [name, await freePort()] as const)),
  ) as Record<BenchSubgraphName, number>;
  const subgraphUrls = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}/graphql`]),
  ) as Record<BenchSubgraphName, string>;
  const sandboxPort = await freePort();
  log('overhead: starting the benchmark subgraphs and the sandbox (token issuers)');
  const subgraphs = startChild(
    'bench subgraphs',
    'bench/subgraphs/main.ts',
    childEnv({
      BENCH_SUBGRAPH_PORTS: JSON.stringify(ports),
      BENCH_SUBGRAPH_MEMO: options.subgraphMemo ? '1' : '0',
    }),
  );
  const sandbox = startChild('sandbox', 'sandbox/main.ts', childEnv({ SANDBOX_PORT: String(sandboxPort) }));
  try {
    for (const url of Object.values(subgraphUrls))
      await waitUntil(url, httpOk(url.replace(/\/graphql$/, '/health')), subgraphs);
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    await waitUntil('the sandbox', httpOk(`${sandboxUrl}/health`), sandbox);
    const supergraphPath = join(workDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeBenchSupergraph(subgraphUrls));
    const tokens = await mintTokenPool(sandboxUrl, citizens(), options.tokenPool);
    return { subgraphs, subgraphUrls, supergraphPath, sandbox, sandboxPort, tokens, verify, workDir };
  } catch (error) {
    await Promise.all([subgraphs.stop(), sandbox.stop()]);
    throw error;
  }
}

async function startGateway(
  name: GatewayName,
  environment: Environment,
  options: BenchOptions,
  nodeArgs: string[] = [],
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const common = {
    BENCH_GATEWAY_PORT: String(port),
    BENCH_SUPERGRAPH: environment.supergraphPath,
    BENCH_SUBGRAPH_URLS: JSON.stringify(environment.subgraphUrls),
  };
  const ours = { ...PRODUCTION_ENV, SANDBOX_PORT: String(environment.sandboxPort), ...common };
  const env =
    name === 'nhs-graph'
      ? childEnv(ours)
      : name === 'nhs-graph-bounded'
        ? childEnv({ ...ours, ...BOUNDED.env })
        : childEnv({ NODE_ENV: 'production', ...common });
  const bounded = name === 'nhs-graph-bounded' ? BOUNDED.nodeArgs : [];
  const child = startChild(name, GATEWAY_SCRIPTS[name], env, [
    ...options.gatewayNodeArgs,
    ...bounded,
    ...nodeArgs,
  ]);
  const url = `http://127.0.0.1:${port}/graphql`;
  let lastAnswer = '';
  try {
    // Ready means: answers the benchmark query, correctly, with a token from the pool.
    await waitUntil(
      `${name} to answer TestQuery correctly`,
      async () => {
        lastAnswer = await postTestQuery(url, environment.tokens[0] ?? '');
        return environment.verify(lastAnswer);
      },
      child,
    );
  } catch (error) {
    await child.stop();
    throw new Error(`${String(error)}\nlast answer: ${lastAnswer.slice(0, 600)}`);
  }
  return { child, url };
}

async function postTestQuery(url: string, token: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: TEST_QUERY_BODY,
  });
  return response.text();
}

async function subgraphCounts(environment: Environment, reset = false): Promise<Record<string, number>> {
  const base = environment.subgraphUrls.accounts.replace(/\/graphql$/, '');
  const response = await fetch(`${base}/_bench/${reset ? 'reset' : 'counts'}`, {
    method: reset ? 'POST' : 'GET',
  });
  return (await response.json()) as Record<string, number>;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** A, B, C then C, B, A, ...: each gateway's rounds straddle the others'. */
export function roundOrders<T>(items: readonly T[], rounds: number): T[][] {
  return Array.from({ length: rounds }, (_, index) => (index % 2 ? [...items].reverse() : [...items]));
}

export function bestRoundOfEach(names: readonly GatewayName[], rounds: GatewayRun[]): GatewayRun[] {
  return names.flatMap((name) => {
    const own = rounds.filter((run) => run.name === name);
    const best = own.reduce<GatewayRun | undefined>(
      (top, run) => (!top || run.load.requestsPerSecond > top.load.requestsPerSecond ? run : top),
      undefined,
    );
    return best ? [best] : [];
  });
}

async function measureGateway(
  name: GatewayName,
  round: number,
  environment: Environment,
  options: BenchOptions,
): Promise<GatewayRun> {
  log(`overhead: ${name}: starting (round ${round})`);
  const { child, url } = await startGateway(name, environment, options);
  try {
    // Exact subgraph calls per operation, from sequential requests.
    await subgraphCounts(environment, true);
    for (let i = 0; i < options.probeRequests; i++) {
      const answer = await postTestQuery(url, environment.tokens[i % environment.tokens.length] ?? '');
      if (!environment.verify(answer))
        throw new Error(`${name} answered TestQuery wrongly: ${answer.slice(0, 600)}`);
    }
    const probe = await subgraphCounts(environment);
    log(
      `overhead: ${name}: ${options.connections} connections, ${options.warmupSeconds}s warm-up + ${options.durationSeconds}s measured`,
    );
    let underLoad = 0;
    const load = await runLoad({
      url,
      body: TEST_QUERY_BODY,
      tokens: environment.tokens,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      verify: environment.verify,
      watch: { gateway: child.pid, subgraphs: environment.subgraphs.pid },
      beforeMeasure: async () => {
        await subgraphCounts(environment, true);
      },
      afterMeasure: async () => {
        underLoad = sum(await subgraphCounts(environment));
      },
    });
    log(
      `overhead: ${name}: ${load.requestsPerSecond.toFixed(1)} req/s, p50 ${load.latencyMs.p50.toFixed(1)} ms, errors ${load.errors.total}`,
    );
    return {
      name,
      label: GATEWAY_LABELS[name],
      round,
      load,
      subgraphRequestsPerOperation: sum(probe) / options.probeRequests,
      subgraphRequestsByName: Object.fromEntries(
        Object.entries(probe).map(([subgraph, count]) => [subgraph, count / options.probeRequests]),
      ),
      subgraphRequestsPerOperationUnderLoad: load.responses ? underLoad / load.responses : NaN,
    };
  } finally {
    await child.stop();
  }
}

async function profileNhsGraph(
  environment: Environment,
  options: BenchOptions,
): Promise<ProfileSummary & { file: string; connections: number; seconds: number }> {
  const dir = join(environment.workDir, 'profile');
  log(
    `overhead: profiling the nhs-graph gateway (--cpu-prof, ${options.profileSeconds}s; not part of the figures)`,
  );
  const { child, url } = await startGateway('nhs-graph', environment, options, [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
  ]);
  const window = { start: 0, end: 0 };
  try {
    await runLoad({
      url,
      body: TEST_QUERY_BODY,
      tokens: environment.tokens,
      connections: options.connections,
      warmupSeconds: 1,
      durationSeconds: options.profileSeconds,
      verify: environment.verify,
      watch: { gateway: child.pid },
      beforeMeasure: () => {
        window.start = monotonicMicros();
      },
      afterMeasure: () => {
        window.end = monotonicMicros();
      },
    });
  } finally {
    await child.stop();
  }
  const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
  if (!file) throw new Error('the profiled gateway wrote no .cpuprofile');
  // Kept beside the reports (not committed), to open in Chrome DevTools or speedscope.
  mkdirSync(options.resultsDir, { recursive: true });
  const kept = join(
    options.resultsDir,
    `nhs-graph-gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
  );
  copyFileSync(join(dir, file), kept);
  return {
    file: relative(PROJECT_ROOT, kept),
    ...summariseCpuProfile(join(dir, file), window),
    connections: options.connections,
    seconds: options.profileSeconds,
  };
}
