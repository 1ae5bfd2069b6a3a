// Service level objectives (ops/slos.yaml): read and checked here, once, for the rule generator
// (scripts/slo-rules.ts) and for /status. Each objective's SLI is a ratio of two Prometheus
// queries over this project's own metrics (platform/metrics.ts), so the alert rules and the
// budget /status shows are computed from the same series.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import { GRAPHQL_DURATION_BUCKETS, UPSTREAM_DURATION_BUCKETS } from './metrics.js';
import { PROJECT_ROOT } from './paths.js';

export const SLO_FILE = join(PROJECT_ROOT, 'ops', 'slos.yaml');

const ObjectiveSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and -'),
  /** `gateway`, or the upstream's service label in nhs_graph_upstream_requests_total (e.g. `PDS`). */
  service: z.string().min(1),
  kind: z.enum(['availability', 'latency', 'freshness']),
  /** Percent of events that must be good over the period, e.g. 99.9. */
  target: z.number().gt(0).lt(100),
  thresholdSeconds: z.number().positive().optional(),
  description: z.string().min(1),
});

const SloFileSchema = z
  .strictObject({
    periodDays: z.number().int().positive(),
    gatewayFailureOutcomes: z.array(z.string().min(1)).min(1),
    objectives: z.array(ObjectiveSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    for (const [i, objective] of file.objectives.entries()) {
      if (names.has(objective.name))
        ctx.addIssue({ code: 'custom', path: ['objectives', i, 'name'], message: 'is used twice' });
      names.add(objective.name);
      const problem = thresholdProblem(objective);
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['objectives', i, 'thresholdSeconds'], message: problem });
      if (objective.kind === 'freshness' && objective.service === 'gateway')
        ctx.addIssue({
          code: 'custom',
          path: ['objectives', i, 'kind'],
          message: 'freshness is per service',
        });
    }
    for (const [i, outcome] of file.gatewayFailureOutcomes.entries())
      if (outcome !== 'error' && !(outcome in ERROR_CODES))
        ctx.addIssue({
          code: 'custom',
          path: ['gatewayFailureOutcomes', i],
          message: `${outcome} is not an error code in platform/errors.ts`,
        });
  });

export type Objective = z.infer<typeof ObjectiveSchema>;
export type SloFile = z.infer<typeof SloFileSchema>;

/** A latency SLI counts answers within a histogram bucket's upper bound, so the threshold must be one. */
function thresholdProblem(objective: Objective): string | undefined {
  if (objective.kind !== 'latency')
    return objective.thresholdSeconds === undefined ? undefined : 'only latency objectives have a threshold';
  const buckets = objective.service === 'gateway' ? GRAPHQL_DURATION_BUCKETS : UPSTREAM_DURATION_BUCKETS;
  if (objective.thresholdSeconds === undefined) return 'a latency objective needs thresholdSeconds';
  return buckets.includes(objective.thresholdSeconds)
    ? undefined
    : `must be one of the histogram's bucket bounds: ${buckets.join(', ')}`;
}

export function parseSloFile(text: string): SloFile {
  const parsed = SloFileSchema.safeParse(parse(text));
  if (parsed.success) return parsed.data;
  throw new Error(`ops/slos.yaml is invalid:\n${z.prettifyError(parsed.error)}`);
}

export function loadSloFile(path = SLO_FILE): SloFile {
  return parseSloFile(readFileSync(path, 'utf8'));
}

/** The fraction of the period's events that may be bad, e.g. 0.001 for 99.9 %. */
export function errorBudget(objective: Objective): number {
  return Number(((100 - objective.target) / 100).toFixed(10));
}

/** A label matcher: an exact value, or an anchored regular expression (PromQL's `=~`). */
export type LabelMatcher = { equals: string } | { matches: string };
export type LabelMatchers = Record<string, LabelMatcher>;

/**
 * An SLI as data, so the alert rules (PromQL) and /status (this process's own counters) count the
 * same events. `counter`: bad events are the series matching `all` and `bad`. `histogram`: bad
 * events are those slower than the bucket `le`.
 */
export type Sli =
  | { type: 'counter'; metric: string; all: LabelMatchers; bad: LabelMatchers }
  | { type: 'histogram'; metric: string; all: LabelMatchers; le: string };

// An upstream that answered 4xx answered: "not found" and "refused" are the caller's business.
const UPSTREAM_FAILURE_STATUS = '5..|429|network|timeout';

export function sliOf(objective: Objective, file: Pick<SloFile, 'gatewayFailureOutcomes'>): Sli {
  const gateway = objective.service === 'gateway';
  const service: LabelMatchers = { service: { equals: objective.service } };
  if (objective.kind === 'freshness')
    return {
      type: 'counter',
      metric: 'nhs_graph_records_served_total',
      all: service,
      bad: { freshness: { equals: 'stale' } },
    };
  if (objective.kind === 'latency')
    return {
      type: 'histogram',
      metric: gateway
        ? 'nhs_graph_graphql_request_duration_seconds'
        : 'nhs_graph_upstream_request_duration_seconds',
      all: gateway ? { component: { equals: 'gateway' } } : service,
      le: String(objective.thresholdSeconds),
    };
  if (gateway)
    return {
      type: 'counter',
      metric: 'nhs_graph_graphql_requests_total',
      all: { component: { equals: 'gateway' } },
      bad: { outcome: { matches: file.gatewayFailureOutcomes.map(escapeRegex).join('|') } },
    };
  return {
    type: 'counter',
    metric: 'nhs_graph_upstream_requests_total',
    all: service,
    bad: { status: { matches: UPSTREAM_FAILURE_STATUS } },
  };
}

/** PromQL for an SLI over a range: bad events and all events (their ratio is the error rate). */
export interface SliQueries {
  bad(range: string): string;
  all(range: string): string;
}

export function sliQueries(objective: Objective, file: Pick<SloFile, 'gatewayFailureOutcomes'>): SliQueries {
  const sli = sliOf(objective, file);
  const rate = (series: string, matchers: LabelMatchers, range: string) =>
    `sum(rate(${series}{${promMatchers(matchers)}}[${range}]))`;
  if (sli.type === 'counter')
    return {
      bad: (r) => rate(sli.metric, { ...sli.all, ...sli.bad }, r),
      all: (r) => rate(sli.metric, sli.all, r),
    };
  const count = `${sli.metric}_count`;
  return {
    bad: (r) =>
      `(${rate(count, sli.all, r)} - ${rate(`${sli.metric}_bucket`, { ...sli.all, le: { equals: sli.le } }, r)})`,
    all: (r) => rate(count, sli.all, r),
  };
}

function promMatchers(matchers: LabelMatchers): string {
  return Object.entries(matchers)
    .map(([label, m]) =>
      'equals' in m ? `${label}=${JSON.stringify(m.equals)}` : `${label}=~${JSON.stringify(m.matches)}`,
    )
    .join(',');
}

/** One sample of a prom-client metric (`metric.get().values`). */
export interface MetricSample {
  metricName?: string;
  labels: Record<string, string | number | undefined>;
  value: number;
}

function matchesAll(labels: MetricSample['labels'], matchers: LabelMatchers): boolean {
  return Object.entries(matchers).every(([label, m]) => {
    const value = labels[label] === undefined ? '' : String(labels[label]);
    return 'equals' in m ? value === m.equals : new RegExp(`^(?:${m.matches})$`).test(value);
  });
}

/**
 * Bad and all events of an SLI in one process, counted from its metrics' samples since start
 * (`samplesOf(metric)` returns the samples of a registered metric, empty if there is none).
 */
export function countSli(
  sli: Sli,
  samplesOf: (metric: string) => readonly MetricSample[],
): { bad: number; all: number } {
  const sum = (samples: readonly MetricSample[]) =>
    samples.reduce((total, sample) => total + sample.value, 0);
  const samples = samplesOf(sli.metric);
  if (sli.type === 'counter') {
    const all = samples.filter((s) => matchesAll(s.labels, sli.all));
    return { all: sum(all), bad: sum(all.filter((s) => matchesAll(s.labels, sli.bad))) };
  }
  const ofSeries = (suffix: string) =>
    samples.filter((s) => s.metricName === `${sli.metric}${suffix}` && matchesAll(s.labels, sli.all));
  const all = sum(ofSeries('_count'));
  const fast = sum(ofSeries('_bucket').filter((s) => String(s.labels['le']) === sli.le));
  return { all, bad: all - fast };
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
