// Scenario b, the patient summary: nhs-graph end to end on the sandbox (scripts/stack.ts: sandbox,
// every subgraph and the gateway, each its own process) with a fixed latency L added to every
// upstream call, for one patient and for 20 distinct patients in one query, asked by a clinician
// (the GP record needs a clinical RBAC activity). p50 is reported against the critical-path floor
// (sequential stages of the upstreams a warm query still calls x L), with the upstream calls each
// query costs (from the sandbox's request counts).
import { generatePeople, type SyntheticPerson } from '../../sandbox/synthetic.js';
import { startStack } from '../../scripts/stack.js';
import { BENCH_OPERATIONS_TOKEN, PRODUCTION_ENV, log } from '../env.js';
import { exactAnswer, percentiles, runLoad, settle, type LoadResult, type Percentiles } from '../load.js';
import type { BenchOptions } from '../options.js';
import { findDescendantPid } from '../processes.js';
import { SANDBOX_SEED, clinician, mintTokenPool } from '../tokens.js';
import { gpRecordCounts, hasGpRecord } from './gp-record.js';
import {
  SUMMARY_SECTIONS,
  criticalPath,
  criticalPathStages,
  expectedSummary,
  summaryQuery,
} from './sections.js';

/**
 * Edge settings the summary needs and the product's defaults would refuse: the sandbox's CIS2
 * clinician is one subject, so every request counts against one caller's rate limit (raised so the
 * limiter still runs on every request but lets the load through), and the 20-patient query has
 * 20 aliases (the default limit is 15). Everything else is the product's production default.
 */
export const SUMMARY_EDGE_SETTINGS = { RATE_LIMIT_REQUESTS: '100000000', MAX_QUERY_ALIASES: '20' };

export interface SummaryRun {
  label: string;
  patients: number;
  /** The NHS numbers asked for, in alias order. */
  nhsNumbers: string[];
  /** Sequential stages of the upstreams the warm query called (see criticalPath). */
  floorStages: number;
  /** floorStages x L. */
  floorMs: number;
  /** The floor once each subgraph's per-request concurrency cap is counted (waves x L). */
  cappedFloorMs: number;
  cappedFloorWaves: number;
  /** One request at a time (the probe), client to gateway and back. */
  unloadedLatencyMs: Percentiles;
  load: LoadResult;
  upstreamCallsPerQuery: number;
  upstreamCallsByRoute: Record<string, number>;
  /** Calls per query by sandbox upstream (pds, ods, gpconnect, dmd); 0 when served from nhs-graph's cache. */
  upstreamCallsByUpstream: Record<string, number>;
  /**
   * Entity fetches the gateway started alongside the root fetch (gateway/speculative-fetches.ts)
   * over the sequential requests: used, or discarded (made, then not needed).
   */
  speculativeFetches: { used: number; discarded: number };
}

export interface SummaryResult {
  latencyMs: number;
  /** Who asks (the token profile). */
  caller: string;
  /** Environment the stack ran with beyond production defaults (see SUMMARY_EDGE_SETTINGS). */
  edgeSettings: Record<string, string>;
  /** Sequential upstream stages of the built sections with every cache cold. */
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
      careRecord: findDescendantPid('subgraphs/main.ts careRecord'),
      medicines: findDescendantPid('subgraphs/main.ts medicines'),
      sandbox: findDescendantPid('sandbox/main.ts'),
    };
    const tokens = await mintTokenPool(stack.sandboxUrl, clinician, options.tokenPool);
    // Every upstream a section names, built or not (the medications section needs the GP Connect
    // call the allergies section names as well as dm+d).
    const upstreams = [...new Set(SUMMARY_SECTIONS.map((section) => section.upstream))];
    for (const upstream of upstreams) {
      const response = await fetch(`${stack.sandboxUrl}/_sandbox/faults/${upstream}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: options.latencyMs }),
      });
      if (!response.ok) throw new Error(`setting ${upstream} latency failed: ${response.status}`);
    }
    const runs: SummaryRun[] = [];
    for (const chosen of summaryPeople()) {
      runs.push(await measureSummary(chosen, stack, tokens, watch, options));
    }
    return {
      latencyMs: options.latencyMs,
      caller: 'clinician',
      edgeSettings: SUMMARY_EDGE_SETTINGS,
      stages: criticalPathStages(),
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

/**
 * Who the two queries ask about. Only people every section answers cleanly (data, no errors):
 * not restricted (PDS withholds their GP; GP Connect treats them as sensitive) and not deceased
 * (GP Connect answers PATIENT_NOT_FOUND), which leaves people the GP Connect sandbox holds a record
 * for. The one patient is the first with allergies and medications, so that query joins its
 * medications to dm+d too; the 20 are simply the first 20 (some with empty lists, checked as well).
 */
export function summaryPeople(): [SyntheticPerson[], SyntheticPerson[]] {
  const people = generatePeople(SANDBOX_SEED).filter(
    (person) => !person.restricted && person.death === null && hasGpRecord(person),
  );
  const full = people.find((person) => {
    const counts = gpRecordCounts(person);
    return counts.allergies > 0 && counts.medications > 0;
  });
  if (full === undefined) throw new Error('no sandbox person has both allergies and medications');
  return [[full], people.slice(0, 20)];
}

async function measureSummary(
  people: readonly SyntheticPerson[],
  stack: { gatewayUrl: string; sandboxUrl: string },
  tokens: readonly string[],
  watch: Record<string, number | undefined>,
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
  const speculationBefore = await speculativeFetchCounts(stack.gatewayUrl);
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
  const speculationAfter = await speculativeFetchCounts(stack.gatewayUrl);
  const { counts } = (await (await fetch(`${stack.sandboxUrl}/_sandbox/requests`)).json()) as {
    counts: Record<string, number>;
  };
  // Routes are counted as `<upstream> <method> <route>` (sandbox/request-log.ts).
  const perQuery = Object.fromEntries(
    Object.entries(counts).map(([route, count]) => [route, count / options.probeRequests]),
  );
  const byUpstream: Record<string, number> = Object.fromEntries(
    [...new Set(SUMMARY_SECTIONS.map((section) => section.upstream))].map((upstream) => [upstream, 0]),
  );
  for (const [route, count] of Object.entries(perQuery)) {
    const upstream = route.split(' ')[0] ?? route;
    byUpstream[upstream] = (byUpstream[upstream] ?? 0) + count;
  }
  const path = criticalPath(people, byUpstream);
  return {
    label,
    patients: people.length,
    nhsNumbers: people.map((person) => person.nhsNumber),
    floorStages: path.stages,
    floorMs: path.stages * options.latencyMs,
    cappedFloorMs: path.waves * options.latencyMs,
    cappedFloorWaves: path.waves,
    unloadedLatencyMs: percentiles(unloaded),
    load,
    upstreamCallsPerQuery: Object.values(perQuery).reduce((a, b) => a + b, 0),
    upstreamCallsByRoute: perQuery,
    upstreamCallsByUpstream: byUpstream,
    speculativeFetches: {
      used: speculationAfter.used - speculationBefore.used,
      discarded: speculationAfter.discarded - speculationBefore.discarded,
    },
  };
}

/** The gateway's speculative entity fetch counters, summed over subgraphs (its /metrics). */
async function speculativeFetchCounts(gatewayUrl: string): Promise<{ used: number; discarded: number }> {
  const text = await (
    await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${BENCH_OPERATIONS_TOKEN}` },
    })
  ).text();
  const counts = { used: 0, discarded: 0 };
  for (const line of text.split('\n')) {
    const match = /^nhs_graph_speculative_entity_fetches_total\{.*outcome="(used|discarded)".*\} (\d+)/.exec(
      line,
    );
    if (match) counts[match[1] as 'used' | 'discarded'] += Number(match[2]);
  }
  return counts;
}
