// Each objective's events and error budget as this process has counted them since it started,
// for /status: every process reports raw counts of the objectives its own metrics measure (a
// subgraph, the upstream calls it makes; the gateway, its requests), and the gateway adds them up.
// The 30-day budget is Prometheus's to compute (ops/prometheus/slo-rules.yml); this is the view
// an operator has without it.
import type { Registry } from 'prom-client';
import { metricsRegistry } from './metrics.js';
import {
  countSli,
  errorBudget,
  loadSloFile,
  sliOf,
  type MetricSample,
  type Objective,
  type SloFile,
} from './slos.js';

export interface ObjectiveCount {
  name: string;
  bad: number;
  all: number;
}

export interface ObjectiveStatus {
  name: string;
  service: string;
  kind: Objective['kind'];
  description: string;
  /** Percent of events that must be good. */
  target: number;
  bad: number;
  all: number;
  /** Bad events / all events; null before any event. */
  errorRatio: number | null;
  /** Share of the error budget not yet spent at this error ratio (negative: overspent); null before any event. */
  budgetRemaining: number | null;
}

/** Counts of every objective this process's metrics measure (none counted: `all` is 0). */
export async function countObjectives(
  file: SloFile,
  registry: Registry = metricsRegistry,
): Promise<ObjectiveCount[]> {
  const samples = new Map<string, readonly MetricSample[]>();
  for (const objective of file.objectives) {
    const { metric } = sliOf(objective, file);
    if (samples.has(metric)) continue;
    const registered = registry.getSingleMetric(metric);
    samples.set(metric, registered ? (await registered.get()).values : []);
  }
  return file.objectives.map((objective) => ({
    name: objective.name,
    ...countSli(sliOf(objective, file), (metric) => samples.get(metric) ?? []),
  }));
}

/** Every objective with the counts of every process added up. */
export function objectiveStatuses(
  file: SloFile,
  counts: readonly (readonly ObjectiveCount[])[],
): ObjectiveStatus[] {
  return file.objectives.map((objective) => {
    const mine = counts.flat().filter((count) => count.name === objective.name);
    const bad = mine.reduce((total, count) => total + count.bad, 0);
    const all = mine.reduce((total, count) => total + count.all, 0);
    const errorRatio = all === 0 ? null : bad / all;
    return {
      name: objective.name,
      service: objective.service,
      kind: objective.kind,
      description: objective.description,
      target: objective.target,
      bad,
      all,
      errorRatio,
      budgetRemaining: errorRatio === null ? null : 1 - errorRatio / errorBudget(objective),
    };
  });
}

let sloFile: SloFile | undefined;

/**
 * This process's counts for every objective in ops/slos.yaml (read once). For /status: a
 * subgraph reports its own, and the gateway adds everyone's up.
 */
export async function objectiveCountsOfThisProcess(): Promise<ObjectiveCount[]> {
  sloFile ??= loadSloFile();
  return countObjectives(sloFile);
}

/** The objectives from ops/slos.yaml with every process's counts added up. */
export function objectiveStatusesOf(counts: readonly (readonly ObjectiveCount[])[]): ObjectiveStatus[] {
  sloFile ??= loadSloFile();
  return objectiveStatuses(sloFile, counts);
}
