// The benchmark report: JSON (everything measured) and markdown (the figures, the ratios, the
// targets from issues 9 and 18 marked met or not — reported, never asserted — and the hot path).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../platform/paths.js';
import type { LoadResult } from './load.js';
import type { BenchOptions, GatewayName } from './options.js';
import type { GatewayRun, OverheadResult } from './overhead/scenario.js';
import type { SummaryResult } from './summary/scenario.js';

export interface Report {
  generatedAt: string;
  machine: { cpus: number; model: string; node: string; platform: string; loadAverageAtStart: number[] };
  settings: Omit<BenchOptions, 'resultsDir'>;
  overhead?: OverheadResult & { ratios: Ratios };
  summary?: SummaryResult;
  targets: Target[];
  /** Every failed request across all measured windows (must be 0). */
  totalErrors: number;
}

export interface Ratios {
  /** nhs-graph throughput / other gateway's throughput. */
  throughput: Partial<Record<GatewayName, number>>;
  /** nhs-graph p50 / other gateway's p50. */
  p50: Partial<Record<GatewayName, number>>;
  /**
   * Requests per CPU-second of the gateway process, nhs-graph / other: throughput normalised by
   * the CPU each gateway actually got, steadier than req/s when the machine is shared.
   */
  perCpu: Partial<Record<GatewayName, number>>;
}

/** Requests the gateway served per second of its own CPU time. */
export const requestsPerCpuSecond = (load: LoadResult): number => {
  const cpu = load.usage.processes['gateway']?.cpuPercent;
  return cpu ? load.requestsPerSecond / (cpu / 100) : NaN;
};

export interface Target {
  goal: string;
  measured: string;
  met: boolean | null;
}

const HOT_PATH_NOTES = join(PROJECT_ROOT, 'bench', 'hot-path.md');

export function buildReport(
  options: BenchOptions,
  loadAverageAtStart: number[],
  overhead: OverheadResult | undefined,
  summary: SummaryResult | undefined,
): Report {
  const { resultsDir: _resultsDir, ...settings } = options;
  const withRatios = overhead ? { ...overhead, ratios: ratios(overhead.runs) } : undefined;
  const loads: LoadResult[] = [
    ...(overhead?.rounds.map((run) => run.load) ?? []),
    ...(summary?.runs.map((run) => run.load) ?? []),
  ];
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart,
    },
    settings,
    ...(withRatios ? { overhead: withRatios } : {}),
    ...(summary ? { summary } : {}),
    targets: targets(withRatios, summary),
    totalErrors: loads.reduce((total, load) => total + load.errors.total + load.warmup.errors, 0),
  };
}

function ratios(runs: GatewayRun[]): Ratios {
  const ours = runs.find((run) => run.name === 'nhs-graph');
  const result: Ratios = { throughput: {}, p50: {}, perCpu: {} };
  if (!ours) return result;
  for (const run of runs) {
    // Ratios are against the other gateways, not against nhs-graph's own memory-bounded variant.
    if (run.name.startsWith('nhs-graph')) continue;
    result.throughput[run.name] = ours.load.requestsPerSecond / run.load.requestsPerSecond;
    result.p50[run.name] = ours.load.latencyMs.p50 / run.load.latencyMs.p50;
    result.perCpu[run.name] = requestsPerCpuSecond(ours.load) / requestsPerCpuSecond(run.load);
  }
  return result;
}

function targets(overhead: Report['overhead'], summary: SummaryResult | undefined): Target[] {
  const list: Target[] = [];
  const ours = overhead?.runs.find((run) => run.name === 'nhs-graph');
  if (overhead && ours) {
    const against = (name: GatewayName, goal: string, minimum: number) => {
      const ratio = overhead.ratios.throughput[name];
      if (ratio === undefined) return;
      const perCpu = overhead.ratios.perCpu[name];
      list.push({
        goal,
        measured: `${fmt(ratio, 2)}x (per gateway CPU-second: ${fmt(perCpu, 2)}x)`,
        met: ratio >= minimum,
      });
    };
    against('hive-gateway-rust', 'throughput >= 0.95x plain Hive Gateway with the Rust planner', 0.95);
    against('hive-gateway', 'throughput >= 0.9x plain Hive Gateway (JavaScript planner)', 0.9);
    against('apollo-gateway', 'throughput >= 4x plain @apollo/gateway', 4);
    const rss = ours.load.usage.processes['gateway']?.rssPeakMb;
    list.push({
      goal: `gateway peak RSS < 300 MB at ${ours.load.connections} connections`,
      measured: rss === undefined ? 'not sampled' : `${fmt(rss, 0)} MB`,
      met: rss === undefined ? null : rss < 300,
    });
    const bounded = overhead.runs.find((run) => run.name === 'nhs-graph-bounded');
    const hive =
      overhead.runs.find((run) => run.name === 'hive-gateway-rust') ??
      overhead.runs.find((run) => run.name === 'hive-gateway');
    const boundedRss = bounded?.load.usage.processes['gateway']?.rssPeakMb;
    if (bounded && boundedRss !== undefined) {
      const share = hive ? bounded.load.requestsPerSecond / hive.load.requestsPerSecond : undefined;
      list.push({
        goal: `gateway peak RSS < 300 MB, memory-bounded configuration (${bounded.label.replace(/^[^(]*\(|\)$/g, '')})`,
        measured:
          `${fmt(boundedRss, 0)} MB, at ${fmt(bounded.load.requestsPerSecond / ours.load.requestsPerSecond, 2)}x the default's throughput` +
          (share === undefined || hive === undefined ? '' : ` (${fmt(share, 2)}x ${hive.label}'s)`),
        met: boundedRss < 300,
      });
    }
  }
  for (const run of summary?.runs ?? []) {
    const unloaded = run.unloadedLatencyMs.p50 / run.floorMs;
    const loaded = run.load.latencyMs.p50 / run.floorMs;
    list.push({
      goal: `patient summary (${run.label}) p50 <= 1.2x critical-path floor (${run.floorMs} ms), one request at a time`,
      measured: `${fmt(run.unloadedLatencyMs.p50, 1)} ms = ${fmt(unloaded, 2)}x`,
      met: unloaded <= 1.2,
    });
    list.push({
      goal: `patient summary (${run.label}) p50 <= 1.5x floor at ${run.load.connections} connections`,
      measured: `${fmt(run.load.latencyMs.p50, 1)} ms = ${fmt(loaded, 2)}x`,
      met: loaded <= 1.5,
    });
  }
  return list;
}

export function writeReport(report: Report, options: BenchOptions): { json: string; markdown: string } {
  mkdirSync(options.resultsDir, { recursive: true });
  const stamp = report.generatedAt.replace(/[:.]/g, '-');
  const markdown = renderMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const files = {
    json: join(options.resultsDir, `${stamp}.json`),
    markdown: join(options.resultsDir, `${stamp}.md`),
  };
  writeFileSync(files.json, json);
  writeFileSync(files.markdown, markdown);
  // latest.* are the reported figures (committed): only a full run replaces them.
  if (!options.quick) {
    writeFileSync(join(options.resultsDir, 'latest.json'), json);
    writeFileSync(join(options.resultsDir, 'latest.md'), markdown);
  }
  return files;
}

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value, 0)} MB`);
const pct = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value, 0)}%`);
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : '**not met**');

function errorsCell(load: LoadResult): string {
  const e = load.errors;
  const detail = [
    e.wrongAnswers ? `${e.wrongAnswers} wrong answers (${e.non2xx} non-2xx)` : '',
    e.connectionErrors ? `${e.connectionErrors} connection errors` : '',
    e.timeouts ? `${e.timeouts} timeouts` : '',
    load.warmup.errors ? `${load.warmup.errors} in warm-up` : '',
  ].filter(Boolean);
  return detail.length ? `**${e.total + load.warmup.errors}** (${detail.join(', ')})` : '0';
}

/** CPU the machine spent on everything but the processes we watched and the load generator. */
function otherCpu(load: LoadResult): number {
  const ours = Object.values(load.usage.processes).reduce(
    (total, usage) => total + (usage?.cpuPercent ?? 0),
    0,
  );
  return Math.max(0, load.usage.machineCpuPercent - ours - load.usage.loadGeneratorCpuPercent);
}

/** One gateway's rounds as `req/s (peak RSS)`, in the order measured. */
function roundsOf(overhead: OverheadResult, name: GatewayName): string {
  return overhead.rounds
    .filter((run) => run.name === name)
    .map(
      (run) => `${fmt(run.load.requestsPerSecond)} (${mb(run.load.usage.processes['gateway']?.rssPeakMb)})`,
    )
    .join(', ');
}

function renderMarkdown(report: Report): string {
  const s = report.settings;
  const lines: string[] = [];
  const out = (...text: string[]) => lines.push(...text);
  out(
    `# nhs-graph benchmark${s.quick ? ' (quick mode: figures are not meaningful)' : ''}`,
    '',
    `Generated ${report.generatedAt} by \`npm run bench\` (bench/run.ts).`,
    '',
    `Machine: ${report.machine.cpus} cores (${report.machine.model}), ${report.machine.platform}, Node ${report.machine.node}; ` +
      `load average at start ${report.machine.loadAverageAtStart.map((v) => v.toFixed(2)).join(' / ')}. ` +
      "The cores are shared with other engineers' processes: every run shows how much CPU went to things other than the " +
      'processes measured ("other CPU"), and the gateways were measured one after another in the same run.',
    '',
    `Load: autocannon, ${s.connections} connections, ${s.warmupSeconds} s warm-up (then wait until idle) and ${s.durationSeconds} s measured per run; ` +
      `every request carries a different valid token from a pool of ${s.tokenPool}; every response is compared with the expected ` +
      'data for its query, and anything else (a wrong or partial answer, a non-2xx, a connection error or timeout) is an error.',
    '',
    'Every process runs compiled (`npm run build`) with plain node, as `npm start` runs the product.',
    '',
    ...(s.gatewayNodeArgs.length
      ? [`Every gateway ran with node flags \`${s.gatewayNodeArgs.join(' ')}\`.`, '']
      : []),
    `**Errors across all measured windows and warm-ups: ${report.totalErrors}.**`,
    '',
  );

  out(
    '## Targets (issues 9 and 18) — reported, not asserted',
    '',
    '| target | measured | |',
    '|---|---|---|',
  );
  for (const target of report.targets) out(`| ${target.goal} | ${target.measured} | ${mark(target.met)} |`);
  out('');

  const overhead = report.overhead;
  if (overhead) {
    out(
      '## a. Gateway overhead',
      '',
      'The scenario of the public [graphql-gateways-benchmark](https://github.com/graphql-hive/graphql-gateways-benchmark): ' +
        `its four subgraphs (accounts, inventory, products, reviews) and its nested \`${overhead.query}\` ` +
        `(${Math.round(overhead.responseBytes / 1024)} KB answer), reproduced as local @apollo/subgraph servers (bench/subgraphs/, ` +
        `one process${overhead.subgraphMemo ? ', answers memoised by request body so the subgraphs cost next to nothing' : ''}) ` +
        'and composed with @theguild/federation-composition. Each gateway runs in its own process on the same supergraph, ' +
        `with the product's production defaults for nhs-graph; tokens: ${overhead.tokens}.`,
      '',
      '| gateway | req/s | p50 | p95 | p99 | errors | peak RSS | gateway CPU | req per CPU-second | subgraph requests / op | subgraphs CPU | other CPU |',
      '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const run of overhead.runs) {
      const l = run.load;
      const gw = l.usage.processes['gateway'];
      const sg = l.usage.processes['subgraphs'];
      out(
        `| ${run.label} | ${fmt(l.requestsPerSecond)} | ${fmt(l.latencyMs.p50)} ms | ${fmt(l.latencyMs.p95)} ms | ${fmt(l.latencyMs.p99)} ms | ` +
          `${errorsCell(l)} | ${mb(gw?.rssPeakMb)} | ${pct(gw?.cpuPercent)} | ${fmt(requestsPerCpuSecond(l))} | ` +
          `${fmt(run.subgraphRequestsPerOperation, 0)} | ` +
          `${pct(sg?.cpuPercent)} | ${pct(otherCpu(l))} |`,
      );
    }
    out('');
    if (overhead.rounds.length > overhead.runs.length)
      out(
        `Each gateway was measured ${overhead.rounds.length / overhead.runs.length} times, in alternating order ` +
          "(first to last, then last to first), so that a change in the shared machine's load falls on every gateway alike; " +
          "the table shows each gateway's best round and the ratios compare best rounds. Every round (req/s, peak RSS): " +
          overhead.runs.map(({ name }) => `${name} ${roundsOf(overhead, name)}`).join('; ') +
          '.',
        '',
      );
    const ratioRows = Object.keys(overhead.ratios.throughput) as GatewayName[];
    if (ratioRows.length) {
      out(
        'nhs-graph against the others, same run:',
        '',
        '| against | throughput ratio | req per CPU-second ratio | p50 ratio |',
        '|---|---:|---:|---:|',
      );
      for (const name of ratioRows) {
        const label = overhead.runs.find((run) => run.name === name)?.label ?? name;
        out(
          `| ${label} | ${fmt(overhead.ratios.throughput[name], 2)}x | ${fmt(overhead.ratios.perCpu[name], 2)}x | ` +
            `${fmt(overhead.ratios.p50[name], 2)}x |`,
        );
      }
      out('');
    }
    out(
      'CPU is a percentage of one core (200% = both); "req per CPU-second" is req/s divided by the gateway\'s CPU, ' +
        'i.e. throughput normalised by the CPU the gateway actually got on the shared machine. ' +
        'Subgraph requests per operation are counted over sequential requests ' +
        '(exact); per subgraph: ' +
        overhead.runs
          .map(
            (run) =>
              `${run.name} ${Object.entries(run.subgraphRequestsByName)
                .map(([name, count]) => `${name} ${fmt(count, 0)}`)
                .join(', ')}`,
          )
          .join('; ') +
        '.',
      '',
    );
  }

  const summary = report.summary;
  if (summary) {
    out(
      '## b. Patient summary, end to end on the sandbox',
      '',
      `nhs-graph's own stack (scripts/stack.ts: sandbox, every subgraph, gateway; production settings) with ${summary.latencyMs} ms added to every ` +
        `upstream call. With every cache cold the measured sections make ${summary.stages} sequential upstream stage(s); a warm query skips the upstreams ` +
        "nhs-graph caches (ODS, dm+d), so each query's floor is the stages of the upstreams it still called (counted below) x " +
        `${summary.latencyMs} ms. ` +
        'Patients are synthetic sandbox people (seed 42), none restricted or deceased, each with a GP Connect record in the sandbox; ' +
        `tokens: the sandbox CIS2 ${summary.caller}. Settings beyond the production defaults: ` +
        `${Object.entries(summary.edgeSettings)
          .map(([name, value]) => `\`${name}=${value}\``)
          .join(
            ', ',
          )} (one ${summary.caller} subject carries all the load, and the 20-patient query has 20 aliases).`,
      '',
      '| query | p50 one at a time | p50 under load | p95 | p99 | req/s | errors | upstream calls / query | floor | p50 / floor (one at a time, under load) | gateway peak RSS | gateway CPU | other CPU |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const run of summary.runs) {
      const l = run.load;
      const gw = l.usage.processes['gateway'];
      out(
        `| ${run.label} | ${fmt(run.unloadedLatencyMs.p50)} ms | ${fmt(l.latencyMs.p50)} ms | ${fmt(l.latencyMs.p95)} ms | ${fmt(l.latencyMs.p99)} ms | ` +
          `${fmt(l.requestsPerSecond)} | ${errorsCell(l)} | ${fmt(run.upstreamCallsPerQuery, 0)} | ${run.floorMs} ms | ` +
          `${fmt(run.unloadedLatencyMs.p50 / run.floorMs, 2)}x, ${fmt(l.latencyMs.p50 / run.floorMs, 2)}x | ${mb(gw?.rssPeakMb)} | ${pct(gw?.cpuPercent)} | ${pct(otherCpu(l))} |`,
      );
    }
    out('');
    out(
      "Upstream calls per query (sequential requests on the warm stack; 0 = answered from nhs-graph's cache): " +
        summary.runs
          .map(
            (run) =>
              `${run.label}: ${Object.entries(run.upstreamCallsByUpstream)
                .map(([upstream, count]) => `${upstream} ${fmt(count, 0)}`)
                .join(', ')}`,
          )
          .join('; ') +
        '.',
      '',
    );
    out(
      'GP Connect is asked at the same time as PDS, not after it: the gateway starts the GP record fetch, ' +
        'keyed only by the NHS numbers the query names, alongside the demographics root fetch ' +
        '(gateway/speculative-fetches.ts). Early fetches over the sequential requests: ' +
        summary.runs
          .map(
            (run) =>
              `${run.label}: ${run.speculativeFetches.used} used, ${run.speculativeFetches.discarded} discarded`,
          )
          .join('; ') +
        '.',
      '',
    );
    const capped = summary.runs.find((run) => run.cappedFloorMs !== run.floorMs);
    if (capped) {
      out(
        `For ${capped.label} the subgraphs call each upstream only a few at a time per request (PDS and GP Connect 5, ODS 8; ` +
          `dm+d one batch), so the query cannot beat ${capped.cappedFloorMs} ms (${capped.cappedFloorWaves} waves of ${summary.latencyMs} ms) ` +
          `however fast the rest is; against that floor its one-at-a-time p50 is ${fmt(capped.unloadedLatencyMs.p50 / capped.cappedFloorMs, 2)}x.`,
        '',
      );
    }
    out(
      'Sections of the summary (bench/summary/sections.ts, the one place to add them):',
      '',
      ...summary.sections.map(
        (section) =>
          `- ${section.name}: upstream \`${section.upstream}\`, stage ${section.stage} — ${section.built ? 'measured' : '**not yet measured** (subgraph not built yet)'}`,
      ),
      '',
    );
  }

  out('## Hot path', '');
  const profile = overhead?.profile;
  if (profile) {
    out(
      `\`node --cpu-prof\` of the nhs-graph gateway under the overhead scenario (${profile.connections} connections, ${profile.seconds} s, ` +
        `${fmt(profile.sampledSeconds)} s sampled, ${fmt(profile.idlePercent, 0)}% idle). Shares are of busy (non-idle) time. ` +
        `The profile itself is kept (not committed) as \`${profile.file}\` for Chrome DevTools or speedscope.`,
      '',
      'Self time by area:',
      '',
      '| area | self |',
      '|---|---:|',
      ...profile.byArea.map((entry) => `| ${entry.name} | ${fmt(entry.percent)}% |`),
      '',
      'Top functions by self time:',
      '',
      '| function | where | self |',
      '|---|---|---:|',
      ...profile.topSelf.map(
        (entry) => `| \`${entry.name}\` | ${entry.where || '—'} | ${fmt(entry.percent)}% |`,
      ),
      '',
      "nhs-graph's own code (gateway/, platform/) by inclusive synchronous time:",
      '',
      '| function | where | inclusive |',
      '|---|---|---:|',
      ...profile.ownCodeInclusive.map(
        (entry) => `| \`${entry.name}\` | ${entry.where} | ${fmt(entry.percent)}% |`,
      ),
      '',
    );
  } else {
    out('No profile in this run (BENCH_PROFILE=1 adds one; it is on by default outside quick mode).', '');
  }
  if (existsSync(HOT_PATH_NOTES)) out(readFileSync(HOT_PATH_NOTES, 'utf8').trim(), '');
  return `${lines.join('\n')}\n`;
}

export const loadAverage = (): number[] => loadavg();
