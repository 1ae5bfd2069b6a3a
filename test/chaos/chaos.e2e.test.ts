// Chaos under load (issues 15 and 22), short: a steady query load while one subgraph is killed,
// our own Redis is stopped and Postgres is cut off, each in turn and each brought back. The Redis
// and Postgres phases run only with REDIS_URL / DATABASE_URL (CI sets both). `npm run chaos` is
// the longer, configurable run.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChaos, type ChaosReport } from './chaos-run.js';
import { chaosReportMarkdown } from './chaos-report.js';

let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({
    connections: 6,
    leadSeconds: 2,
    faultSeconds: 4,
    recoveryWaitSeconds: 15,
    subgraph: 'organisations',
    requestTimeoutMs: 10_000,
    redis: process.env['REDIS_URL'] !== undefined,
    databaseUrl: process.env['DATABASE_URL'],
  });
  const file = join(mkdtempSync(join(tmpdir(), 'nhs-graph-chaos-')), 'chaos-report.md');
  writeFileSync(file, chaosReportMarkdown(report));
  process.stdout.write(`chaos report: ${file}\n`);
}, 240_000);

// Which phases run is known before the run (from the environment); their results after it.
const PHASES = [
  'subgraph',
  ...(process.env['REDIS_URL'] ? ['redis'] : []),
  ...(process.env['DATABASE_URL'] ? ['postgres'] : []),
];
const phases = () => PHASES.map((name) => [name] as const);
const result = (name: string) => {
  const phase = report.phases.find((candidate) => candidate.name === name);
  if (!phase) throw new Error(`phase ${name} did not run`);
  return phase;
};

describe('under a steady load with one fault at a time', () => {
  it('ran every phase it has the services for', () => {
    expect(report.phases.map((phase) => phase.name)).toEqual(PHASES);
    for (const phase of report.phases) expect(phase.withData).toBeGreaterThan(0);
  });

  it.each(phases())('%s: no process of the stack crashed (other than the one killed)', (name) => {
    const phase = result(name);
    expect(phase.crashed).toEqual([]);
  });

  it.each(phases())('%s: every answer with patient data has its own audit record', (name) => {
    const phase = result(name);
    expect({ lost: phase.withData - phase.audited, sample: phase.unauditedSample }).toEqual({
      lost: 0,
      sample: [],
    });
  });

  it.each(phases())('%s: every failed request got an answer with a documented code', (name) => {
    const phase = result(name);
    expect(phase.undocumented).toEqual({});
  });

  it.each(phases())('%s: normal service resumed after the fault', (name) => {
    const phase = result(name);
    expect(phase.recoverySeconds).not.toBeNull();
  });

  it('a killed subgraph is started again by the stack itself (issue 22, 4)', () => {
    expect(report.phases[0]?.restartedBy).toBe('the stack');
  });
});
