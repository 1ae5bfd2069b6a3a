// `npm run chaos -- [--connections 20] [--lead 10] [--fault 20] [--recovery-wait 30]
//   [--subgraph organisations] [--timeout-ms 10000] [--phases subgraph,redis,postgres]
//   [--stack-output inherit] [--out report.md]`
// The chaos run (test/chaos/chaos-run.ts) with longer, configurable phases; the Markdown report
// goes to stdout, or to --out. The Redis phase runs when REDIS_URL is set (a redis-server of the
// run's own is used, never the shared one), the Postgres phase when DATABASE_URL is set.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/chaos-run.js';
import { chaosReportMarkdown } from '../test/chaos/chaos-report.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '20' },
    lead: { type: 'string', default: '10' },
    fault: { type: 'string', default: '20' },
    'recovery-wait': { type: 'string', default: '30' },
    subgraph: { type: 'string', default: 'organisations' },
    'timeout-ms': { type: 'string', default: '10000' },
    phases: { type: 'string', default: 'subgraph,redis,postgres' },
    'stack-output': { type: 'string', default: 'ignore' },
    out: { type: 'string' },
  },
});

const report = await runChaos({
  connections: Number(values.connections),
  leadSeconds: Number(values.lead),
  faultSeconds: Number(values.fault),
  recoveryWaitSeconds: Number(values['recovery-wait']),
  subgraph: values.subgraph,
  requestTimeoutMs: Number(values['timeout-ms']),
  redis: process.env['REDIS_URL'] !== undefined,
  databaseUrl: process.env['DATABASE_URL'],
  phases: values.phases.split(',') as Array<'subgraph' | 'redis' | 'postgres'>,
  stackOutput: values['stack-output'] === 'inherit' ? 'inherit' : 'ignore',
  log: (line) => process.stderr.write(`${line}\n`),
});
const markdown = chaosReportMarkdown(report);
if (values.out) {
  writeFileSync(values.out, markdown);
  process.stderr.write(`report written to ${values.out}\n`);
} else process.stdout.write(`${markdown}\n`);
