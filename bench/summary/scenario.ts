// Scenario b, the patient summary: nhs-graph end to end on the sandbox (scripts/stack.ts: sandbox,
// every subgraph and the gateway, each its own process) with a fixed latency L added to every
// upstream call, for one patient and for 20 distinct patients in one query. p50 is reported
// against the critical-path floor (sequential upstream stages x L), with the upstream calls each
// query costs (from the sandbox's request counts).
import { generatePeople, type SyntheticPerson } from '../../sandbox/synthetic.js';
import { startStack } from '../../scripts/stack.js';
import { PRODUCTION_ENV, log } from '../env.js';
import { exactAnswer, percentiles, runLoad, settle, type LoadResult, type Percentiles } from '../load.js';
import type { BenchOptions } from '../options.js';
import { findDescendantPid } from '../processes.js';
import { SANDBOX_SEED, clerk, mintTokenPool } from '../tokens.js';
import {
  SUMMARY_SECTIONS,
  builtSections,
  criticalPathStages,
  expectedSummary,
  summaryQuery,
} from './sections.js';

/**
 * The demographics subgraph calls PDS at most this many at a time per request (PDS_CONCURRENCY in
 * subgraphs/demographics/source.ts, for PDS's 5 TPS limit), so n patients take ceil(n/5) waves.
 */
const PDS_CONCURRENCY = 5;

/**
 * Edge settings the summary needs and the product's defaults would refuse: the sandbox's CIS2
 * clerk is one subject, so every request counts against one caller's rate limit (raised so the
 * limiter still runs on every request but lets the load through), and the 20-patient query has
 * 20 aliases (the default limit is 15). Everything else is the product's production default.
 */
export const SUMMARY_EDGE_SETTINGS = { RATE_LIMIT_REQUESTS: '100000000', MAX_QUERY_ALIASES: '20' };

export interface SummaryRun {
  label: string;
  patients: number;
  /** Sequential upstream stages x L. */
  floorMs: number;
  /** The floor once the demographics subgraph's PDS concurrency cap is counted. */
  cappedFloorMs: number;
  /** One request at a time (the probe), client to gateway and back. */
  unloadedLatencyMs: Percentiles;
  load: LoadResult;
  upstreamCallsPerQuery: number;
  upstreamCallsByRoute: Record<string, number>;
}

export interface SummaryResult {
  latencyMs: number;
  /** Environment the stack ran with beyond production defaults (see SUMMARY_EDGE_SETTINGS). */
  edgeSettings: Record<string, string>;
  stages: number;
  sections: Array<{ name: string; upstream: string; stage: number; built: boolean }>;
  notYetMeasured: string[];
  runs: SummaryRun[];
}

export async function runSummary(options: BenchOptions): Promise<SummaryResult> {
  log('summary: starting the stack (sandbox, subgraphs, gateway) in production mode');
  const stack = await startStack({
    freePorts: true,
    stdio: 'ignore',
    env: { ...PRODUCTION_ENV, ...SUMMARY_EDGE_SETTINGS, NODE_OPTIONS: '' },
  });
  try {
    const watch = {
      gateway: findDescendantPid('gateway/main.ts'),
      demographics: findDescendantPid('subgraphs/main.ts demographics'),
      sandbox: findDescendantPid('sandbox/main.ts'),
    };
    const tokens = await mintTokenPool(stack.sandboxUrl, clerk, options.tokenPool);
    const upstreams = [...new Set(builtSections().map((section) => section.upstream))];
    for (const upstream of upstreams) {
      const response = await fetch(`${stack.sandboxUrl}/_sandbox/faults/${upstream}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: options.latencyMs }),
      });
      if (!response.ok) throw new Error(`setting ${upstream} latency failed: ${response.status}`);
    }
    const people = generatePeople(SANDBOX_SEED).filter((person) => !person.restricted);
    const stages = criticalPathStages();
    const runs: SummaryRun[] = [];
    for (const count of [1, 20]) {
      const chosen = people.slice(0, count);
      runs.push(await measureSummary(chosen, stack, tokens, watch, stages, options));
    }
    return {
      latencyMs: options.latencyMs,
      edgeSettings: SUMMARY_EDGE_SETTINGS,
      stages,
      sections: SUMMARY_SECTIONS.map(({ name, upstream, stage, built }) => ({
        name,
        upstream,
        stage,
        built,
      })),
      notYetMeasured: SUMMARY_SECTIONS.filter((section) => !section.built).map((section) => section.name),
      runs,
    };
  } finally {
    await stack.stop();
  }
}

async function measureSummary(
  people: readonly SyntheticPerson[],
  stack: { gatewayUrl: string; sandboxUrl: string },
  tokens: readonly string[],
  watch: Record<string, number | undefined>,
  stages: number,
  options: BenchOptions,
): Promise<SummaryRun> {
  const label =
    people.length === 1 ? 'one patient' : `${people.length} patients (aliases a1..a${people.length})`;
  const body = JSON.stringify({ query: summaryQuery(people.map((person) => person.nhsNumber)) });
  const verify = exactAnswer(expectedSummary(people));

  log(
    `summary: ${label}: ${options.connections} connections, ${options.warmupSeconds}s warm-up + ${options.durationSeconds}s measured`,
  );
  const load = await runLoad({
    url: stack.gatewayUrl,
    body,
    tokens,
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    verify,
    watch,
  });
  log(
    `summary: ${label}: ${load.requestsPerSecond.toFixed(1)} req/s, p50 ${load.latencyMs.p50.toFixed(1)} ms, errors ${load.errors.total}`,
  );
  // Then sequential requests on the warm stack: exact upstream calls per query, and latency with
  // nothing else going on (once whatever the load left in flight has finished).
  await settle(Object.values(watch));
  await fetch(`${stack.sandboxUrl}/_sandbox/reset`, { method: 'POST' });
  const unloaded: number[] = [];
  for (let i = 0; i < options.probeRequests; i++) {
    const started = performance.now();
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[i % tokens.length] ?? ''}`,
      },
      body,
    });
    const answer = await response.text();
    unloaded.push(performance.now() - started);
    if (!verify(answer)) throw new Error(`summary (${label}) answered wrongly: ${answer.slice(0, 600)}`);
  }
  const { counts } = (await (await fetch(`${stack.sandboxUrl}/_sandbox/requests`)).json()) as {
    counts: Record<string, number>;
  };
  const perQuery = Object.fromEntries(
    Object.entries(counts).map(([route, count]) => [route, count / options.probeRequests]),
  );

  const waves = Math.ceil(people.length / PDS_CONCURRENCY);
  return {
    label,
    patients: people.length,
    floorMs: stages * options.latencyMs,
    cappedFloorMs: (stages - 1 + waves) * options.latencyMs,
    unloadedLatencyMs: percentiles(unloaded),
    load,
    upstreamCallsPerQuery: Object.values(perQuery).reduce((a, b) => a + b, 0),
    upstreamCallsByRoute: perQuery,
  };
}
