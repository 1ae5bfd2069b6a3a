// `npm run bench`: nhs-graph against the gateways a user would pick instead, side by side, and
// the patient summary end to end. Settings come from the environment (bench/options.ts):
//   BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50),
//   BENCH_QUICK=1 (~2 s runs), BENCH_SCENARIOS=overhead,summary, BENCH_GATEWAYS=nhs-graph,...,
//   BENCH_LATENCY_MS (50), BENCH_TOKENS (200), BENCH_PROFILE, BENCH_RESULTS_DIR (bench/results).
// Writes bench/results/<timestamp>.{md,json} (and latest.{md,json} for a full run), prints the
// JSON report's path as the last line, and exits 1 when any request failed. Timing goals are
// reported, never turned into a failure.
import { log } from './env.js';
import { benchOptions } from './options.js';
import { runOverhead, type OverheadResult } from './overhead/scenario.js';
import { buildReport, loadAverage, writeReport } from './report.js';
import { runSummary, type SummaryResult } from './summary/scenario.js';

const options = benchOptions();
const loadAverageAtStart = loadAverage();
log(
  `${options.quick ? 'quick' : 'full'} run: scenarios ${options.scenarios.join(', ')}; ` +
    `${options.connections} connections, ${options.warmupSeconds}s warm-up + ${options.durationSeconds}s measured`,
);

let overhead: OverheadResult | undefined;
let summary: SummaryResult | undefined;
if (options.scenarios.includes('overhead')) overhead = await runOverhead(options);
if (options.scenarios.includes('summary')) summary = await runSummary(options);

const report = buildReport(options, loadAverageAtStart, overhead, summary);
const files = writeReport(report, options);
log(`report: ${files.markdown}`);
log(`errors: ${report.totalErrors}`);
for (const target of report.targets)
  log(
    `target: ${target.goal}: ${target.measured} (${target.met === null ? 'not measured' : target.met ? 'met' : 'not met'})`,
  );
console.log(files.json);
process.exitCode = report.totalErrors === 0 ? 0 : 1;
