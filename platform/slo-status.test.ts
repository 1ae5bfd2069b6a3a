// Counting objectives from real prom-client metrics, with the same series the alert rules select.
import { Counter, Histogram, Registry } from 'prom-client';
import { countObjectives, objectiveStatuses } from './slo-status.js';
import { parseSloFile } from './slos.js';

const FILE = parseSloFile(`
periodDays: 30
gatewayFailureOutcomes: [UPSTREAM_UNAVAILABLE, error]
objectives:
  - { name: gateway-availability, service: gateway, kind: availability, target: 99, description: Answered. }
  - { name: pds-availability, service: PDS, kind: availability, target: 90, description: PDS answered. }
  - { name: pds-latency, service: PDS, kind: latency, thresholdSeconds: 1, target: 75, description: Within 1 s. }
  - { name: pds-freshness, service: PDS, kind: freshness, target: 99, description: Fresh. }
`);

function metrics() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'nhs_graph_graphql_requests_total',
    help: 'h',
    labelNames: ['component', 'operation', 'outcome'],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'nhs_graph_upstream_requests_total',
    help: 'h',
    labelNames: ['service', 'status'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'nhs_graph_upstream_request_duration_seconds',
    help: 'h',
    labelNames: ['service'],
    buckets: [0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, requests, calls, durations };
}

describe('objective status', () => {
  it('counts failures, not client errors, from the metrics a process exports', async () => {
    const { registry, requests, calls, durations } = metrics();
    requests.inc({ component: 'gateway', operation: 'other', outcome: 'ok' }, 96);
    requests.inc({ component: 'gateway', operation: 'other', outcome: 'NOT_FOUND' }, 2);
    requests.inc({ component: 'gateway', operation: 'other', outcome: 'UPSTREAM_UNAVAILABLE' }, 2);
    requests.inc({ component: 'subgraph:demographics', operation: 'other', outcome: 'error' }, 50);
    calls.inc({ service: 'PDS', status: '200' }, 7);
    calls.inc({ service: 'PDS', status: '404' }, 2);
    calls.inc({ service: 'PDS', status: 'timeout' });
    calls.inc({ service: 'ODS', status: '503' }, 5);
    for (const seconds of [0.2, 0.7, 1.5, 3]) durations.observe({ service: 'PDS' }, seconds);

    expect(await countObjectives(FILE, registry)).toEqual([
      { name: 'gateway-availability', bad: 2, all: 100 },
      { name: 'pds-availability', bad: 1, all: 10 },
      { name: 'pds-latency', bad: 2, all: 4 },
      { name: 'pds-freshness', bad: 0, all: 0 }, // this process serves no records
    ]);
  });

  it('adds up every process and says how much budget is left', () => {
    const statuses = objectiveStatuses(FILE, [
      [{ name: 'pds-availability', bad: 1, all: 10 }],
      [
        { name: 'pds-availability', bad: 0, all: 30 },
        { name: 'gateway-availability', bad: 2, all: 100 },
      ],
    ]);
    expect(statuses.find((s) => s.name === 'pds-availability')).toMatchObject({
      bad: 1,
      all: 40,
      errorRatio: 0.025,
      budgetRemaining: 0.75,
    });
    const gateway = statuses.find((s) => s.name === 'gateway-availability');
    expect(gateway?.errorRatio).toBe(0.02);
    expect(gateway?.budgetRemaining).toBeCloseTo(-1); // spent twice over
    expect(statuses.find((s) => s.name === 'pds-freshness')).toMatchObject({
      all: 0,
      errorRatio: null,
      budgetRemaining: null,
    });
  });
});
