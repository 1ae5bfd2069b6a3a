// Smoke test of `npm run bench`: the real harness, in quick mode, for short runs of both scenarios
// (the nhs-graph gateway on the gateway-overhead scenario, and the patient summary with every
// section on nhs-graph's own stack; 5 connections, ~2 s each). It checks that the harness runs end
// to end and that every answer was right; it never asserts a timing. As `npm run bench` does, it
// runs the compiled build (npm run build), so the compiled product is exercised too.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exactAnswer } from './load.js';
import { expectedTestQueryResponse } from './overhead/query.js';
import type { Report } from './report.js';
import { summaryPeople } from './summary/scenario.js';
import { SUMMARY_SECTIONS, expectedSummary, summaryQuery } from './summary/sections.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runBench(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv['NODE_OPTIONS'];
    const child = spawn(process.execPath, ['dist/bench/run.js'], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench (quick mode)', () => {
  let resultsDir: string;

  beforeAll(() => {
    resultsDir = mkdtempSync(join(tmpdir(), 'nhs-graph-bench-test-'));
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`npm run build failed\n${build.stderr}`);
  });

  afterAll(() => {
    rmSync(resultsDir, { recursive: true, force: true });
  });

  it('measures the nhs-graph gateway with every answer correct and a non-zero throughput', async () => {
    const { code, stdout, stderr } = await runBench({
      BENCH_QUICK: '1',
      BENCH_SCENARIOS: 'overhead',
      BENCH_GATEWAYS: 'nhs-graph',
      BENCH_CONNECTIONS: '5',
      BENCH_WARMUP_SECONDS: '1',
      BENCH_DURATION_SECONDS: '2',
      BENCH_TOKENS: '10',
      BENCH_PROFILE: '0',
      BENCH_RESULTS_DIR: resultsDir,
    });
    if (code !== 0) throw new Error(`bench exited ${code}\n${stderr.slice(-3000)}`);
    const reportPath = stdout.trim().split('\n').at(-1) ?? '';
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;

    expect(report.totalErrors).toBe(0);
    const [run] = report.overhead?.runs ?? [];
    expect(run?.name).toBe('nhs-graph');
    expect(run?.load.errors.total).toBe(0);
    expect(run?.load.responses).toBeGreaterThan(0);
    expect(run?.load.requestsPerSecond).toBeGreaterThan(0);
    expect(run?.subgraphRequestsPerOperation).toBeGreaterThan(0);
    expect(readFileSync(reportPath.replace(/\.json$/, '.md'), 'utf8')).toContain('## a. Gateway overhead');
  }, 90_000);

  it('measures the whole patient summary (PDS, ODS, GP Connect, dm+d) with every answer correct', async () => {
    const { code, stdout, stderr } = await runBench({
      BENCH_QUICK: '1',
      BENCH_SCENARIOS: 'summary',
      BENCH_CONNECTIONS: '5',
      BENCH_WARMUP_SECONDS: '1',
      // Long enough for a 20-patient summary (about 1 s at 5 connections here) to answer on a busy machine.
      BENCH_DURATION_SECONDS: '3',
      BENCH_TOKENS: '10',
      BENCH_PROFILE: '0',
      BENCH_RESULTS_DIR: resultsDir,
    });
    if (code !== 0) throw new Error(`bench exited ${code}\n${stderr.slice(-3000)}`);
    const reportPath = stdout.trim().split('\n').at(-1) ?? '';
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;

    expect(report.totalErrors).toBe(0);
    const summary = report.summary;
    expect(summary?.notYetMeasured).toEqual([]);
    expect(summary?.caller).toBe('clinician');
    expect(summary?.runs.map((run) => run.patients)).toEqual([1, 20]);
    for (const run of summary?.runs ?? []) {
      expect(run.load.errors.total).toBe(0);
      expect(run.load.responses).toBeGreaterThan(0);
      // Warm: one PDS and one GP Connect call per patient; ODS and dm+d answered from the cache.
      expect(run.upstreamCallsByUpstream).toEqual({
        pds: run.patients,
        ods: 0,
        gpconnect: run.patients,
        dmd: 0,
      });
      expect(run.floorStages).toBe(1);
      // GP Connect was asked alongside PDS on every sequential request, and never in vain.
      expect(run.speculativeFetches).toEqual({ used: report.settings.probeRequests, discarded: 0 });
    }
    const markdown = readFileSync(reportPath.replace(/\.json$/, '.md'), 'utf8');
    for (const section of SUMMARY_SECTIONS) expect(markdown).toContain(`- ${section.name}: upstream`);
  }, 150_000);
});

describe('the patient-summary scenario', () => {
  it('asks every section, for people the GP Connect sandbox holds a record for', () => {
    expect(SUMMARY_SECTIONS.every((section) => section.built)).toBe(true);
    const [one, twenty] = summaryPeople();
    expect(one.map((person) => person.nhsNumber)).toEqual(['9993229571']);
    expect(new Set(twenty.map((person) => person.nhsNumber)).size).toBe(20);
    expect([...one, ...twenty].every((person) => !person.restricted && person.death === null)).toBe(true);
    const query = summaryQuery(['9993229571']);
    expect(query).toContain('allergies { active { items { code { code display } } emptyReason { kind } } }');
    expect(query).toContain(
      'medications { items { code { code } medicine { code name } } emptyReason { kind } }',
    );
  });

  it("expects the sandbox's own allergies and medications, named from dm+d (spot checks)", () => {
    const [one, twenty] = summaryPeople();
    const patient = expectedSummary(one).data['patient'] as Record<string, unknown>;
    expect(patient['allergies']).toEqual({
      active: {
        items: [
          { code: { code: '323509004', display: 'Amoxicillin 250mg capsules' } },
          { code: { code: '319773006', display: 'Aspirin 75mg dispersible tablet' } },
          { code: { code: '256349002', display: 'Peanut - dietary' } },
        ],
        emptyReason: null,
      },
    });
    const aspirin = {
      code: { code: '319773006' },
      medicine: { code: '319773006', name: 'Aspirin 75mg dispersible tablets' },
    };
    expect(patient['medications']).toEqual({ items: [aspirin, aspirin], emptyReason: null });
    // The 20-patient query checks empty lists too, and why they are empty.
    const first = expectedSummary(twenty).data['a1'] as Record<string, unknown>;
    expect(first['allergies']).toEqual({ active: { items: [], emptyReason: { kind: 'NONE_GIVEN' } } });
    expect(first['medications']).toEqual({ items: [], emptyReason: { kind: 'NO_CONTENT_RECORDED' } });
  });
});

describe('the gateway-overhead scenario', () => {
  it('expects the answer the public benchmark publishes (spot checks from its k6.js)', async () => {
    const { data } = await expectedTestQueryResponse();
    const users = data['users'] as Array<Record<string, unknown>>;
    const top = data['topProducts'] as Array<Record<string, unknown>>;
    expect(users).toHaveLength(6);
    expect(users[0]).toMatchObject({ id: '1', username: 'urigo', name: 'Uri Goldshtein' });
    expect((users[0]?.['reviews'] as unknown[])[0]).toMatchObject({
      id: '1',
      product: { inStock: true, name: 'Table', price: 899, shippingEstimate: null, upc: '1', weight: 100 },
    });
    expect(top.map((product) => product['name'])).toEqual(['Table', 'Couch', 'Glass', 'Chair', 'TV']);
    expect(top[4]).toEqual({
      inStock: true,
      name: 'TV',
      price: 1299,
      shippingEstimate: null,
      upc: '5',
      weight: 1000,
      reviews: [],
    });
    expect((top[3]?.['reviews'] as Array<{ id: string }>).map((review) => review.id)).toEqual(['10', '11']);
  });

  it('counts anything but the exact expected data as an error', () => {
    const verify = exactAnswer({ data: { a: [1, { b: 'x' }] } });
    expect(verify('{"data":{"a":[1,{"b":"x"}]}}')).toBe(true);
    expect(verify('{"data":{"a":[1,{"b":"x"}]}}\n')).toBe(true);
    expect(verify('{ "data": { "a": [1, { "b": "x" }] } }')).toBe(true);
    expect(verify('{"data":{"a":[1,{"b":"y"}]}}')).toBe(false);
    expect(verify('{"data":{"a":[1,{"b":"x"}]},"errors":[{"message":"partial"}]}')).toBe(false);
    expect(verify('{"data":null}')).toBe(false);
    expect(verify('Too Many Requests')).toBe(false);
  });
});
