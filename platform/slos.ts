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

/** PromQL for an SLI over a range: bad events and all events (their ratio is the error rate). */
export interface SliQueries {
  bad(range: string): string;
  all(range: string): string;
}

export function sliQueries(objective: Objective, file: Pick<SloFile, 'gatewayFailureOutcomes'>): SliQueries {
  const rate = (selector: string, range: string) => `sum(rate(${selector}[${range}]))`;
  const service = promString(objective.service);
  if (objective.kind === 'freshness') {
    const served = `nhs_graph_records_served_total{service=${service}`;
    return { bad: (r) => rate(`${served},freshness="stale"}`, r), all: (r) => rate(`${served}}`, r) };
  }
  const gateway = objective.service === 'gateway';
  if (objective.kind === 'latency') {
    const histogram = gateway
      ? 'nhs_graph_graphql_request_duration_seconds'
      : 'nhs_graph_upstream_request_duration_seconds';
    const labels = gateway ? 'component="gateway"' : `service=${service}`;
    const le = promString(String(objective.thresholdSeconds));
    return {
      bad: (r) =>
        `(${rate(`${histogram}_count{${labels}}`, r)} - ${rate(`${histogram}_bucket{${labels},le=${le}}`, r)})`,
      all: (r) => rate(`${histogram}_count{${labels}}`, r),
    };
  }
  if (gateway) {
    const outcomes = file.gatewayFailureOutcomes.map(escapeRegex).join('|');
    const requests = 'nhs_graph_graphql_requests_total{component="gateway"';
    return {
      bad: (r) => rate(`${requests},outcome=~"${outcomes}"}`, r),
      all: (r) => rate(`${requests}}`, r),
    };
  }
  // An upstream that answered 4xx answered: "not found" and "refused" are the caller's business.
  const calls = `nhs_graph_upstream_requests_total{service=${service}`;
  return {
    bad: (r) => rate(`${calls},status=~"5..|429|network|timeout"}`, r),
    all: (r) => rate(`${calls}}`, r),
  };
}

function promString(value: string): string {
  return JSON.stringify(value);
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
