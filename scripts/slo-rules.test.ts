// The SLO rules as Prometheus runs them: generated files current, every series they select is one
// this project exports, and promtool's own evaluation of the synthetic scenarios (a fast burn
// pages, a slow burn tickets, a healthy series with as many client errors as good answers is
// silent). promtool comes from Debian's `prometheus` package, which .ci/run installs.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { metricsRegistry } from '../platform/metrics.js';
import { subgraphRegistry } from '../subgraphs/registry.js';
import { loadSloFile, parseSloFile } from '../platform/slos.js';
import { generatedFiles, RULES_FILE, TESTS_FILE } from './slo-rules.js';

const run = promisify(execFile);

async function promtoolAvailable(): Promise<boolean> {
  try {
    await run('promtool', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('SLO rules generated from ops/slos.yaml', () => {
  it('are current (npm run slo-rules rewrites them)', () => {
    for (const [path, text] of Object.entries(generatedFiles()))
      expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("name only upstreams nhs-graph calls, by their metrics' service label", () => {
    const upstreamNames = new Set(
      subgraphRegistry.flatMap((manifest) =>
        Object.values(manifest.upstreams).map((upstream) => upstream.label),
      ),
    );
    for (const { service } of loadSloFile().objectives)
      if (service !== 'gateway') expect(upstreamNames).toContain(service);
  });

  it('select only metrics and labels this project exports', () => {
    const { groups } = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const selectors = groups
      .flatMap((group) => group.rules)
      .flatMap((rule) => [...rule.expr.matchAll(/\b(nhs_graph_\w+)\{([^}]*)\}/g)]);
    expect(selectors.length).toBeGreaterThan(0);
    for (const [, series = '', labels = ''] of selectors) {
      const name = series.replace(/_(bucket|count|sum)$/, '');
      const metric = metricsRegistry.getSingleMetric(name) as { labelNames?: string[] } | undefined;
      expect({ series, exported: metric !== undefined }).toEqual({ series, exported: true });
      const allowed = [...(metric?.labelNames ?? []), ...(series.endsWith('_bucket') ? ['le'] : [])];
      for (const [, label] of labels.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) expect(allowed).toContain(label);
    }
  });

  it('refuse an objective file with a clear message for each mistake', () => {
    const text = readFileSync(new URL('../ops/slos.yaml', import.meta.url), 'utf8')
      .replace('thresholdSeconds: 2.5', 'thresholdSeconds: 3')
      .replace('  - OVERLOADED', '  - OVERLOADED\n  - NOT_A_CODE');
    expect(() => parseSloFile(text)).toThrow(/must be one of the histogram's bucket bounds/);
    expect(() => parseSloFile(text)).toThrow(/NOT_A_CODE is not an error code/);
    expect(() => parseSloFile('periodDays: 30\ngatewayFailureOutcomes: [error]\nobjectives: []\n')).toThrow(
      /objectives/,
    );
  });

  it('fire as declared when promtool evaluates them on synthetic series', async () => {
    if (!(await promtoolAvailable())) {
      // CI installs promtool; without it (a developer's machine) this check cannot run here.
      if (process.env['CI']) throw new Error('promtool is not installed (apt-get install prometheus)');
      console.warn('promtool not found: skipping the promtool evaluation of the SLO rules');
      return;
    }
    const cwd = dirname(RULES_FILE);
    await expect(run('promtool', ['check', 'rules', RULES_FILE], { cwd })).resolves.toBeDefined();
    const { stdout } = await run('promtool', ['test', 'rules', TESTS_FILE], { cwd, maxBuffer: 1 << 24 });
    expect(stdout).toMatch(/SUCCESS/);
  }, 180_000);
});
