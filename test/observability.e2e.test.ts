// Metrics, health and the integration status view, over HTTP, change with real traffic.
import { postGraphQL } from './graphql-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({ NODE_ENV: 'test' }, { resetBeforeEach: false });
const base = () => stack.gatewayUrl.replace(/\/graphql$/, '');

const metricValue = (text: string, line: RegExp): number => {
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').at(-1)) : 0;
};

describe('operations endpoints', () => {
  it('answers liveness and readiness', async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    expect((await fetch(`${base()}/ready`)).status).toBe(200);
  });

  it('counts GraphQL requests at the gateway and PDS calls at the subgraph after traffic', async () => {
    const demographicsMetrics = () =>
      fetch(stack.subgraphUrls['demographics']?.replace(/\/graphql$/, '/metrics') ?? '').then((r) =>
        r.text(),
      );
    const gatewayMetrics = () => fetch(`${base()}/metrics`).then((r) => r.text());
    const pdsOk = /^nhs_graph_upstream_requests_total\{service="PDS",status="200"\}/;
    // A client-chosen operation name is not a label (it would grow without bound): it counts as "other".
    const summaryOk =
      /^nhs_graph_graphql_requests_total\{component="gateway",operation="other",outcome="ok"\}/;
    // The SLO series (ops/slos.yaml): gateway latency by operation, and records served fresh.
    const summaryTimed =
      /^nhs_graph_graphql_request_duration_seconds_count\{component="gateway",operation="other"\}/;
    const pdsFresh = /^nhs_graph_records_served_total\{service="PDS",freshness="fresh"\}/;
    const beforePds = metricValue(await demographicsMetrics(), pdsOk);
    const beforeGateway = metricValue(await gatewayMetrics(), summaryOk);
    const beforeTimed = metricValue(await gatewayMetrics(), summaryTimed);
    const beforeFresh = metricValue(await demographicsMetrics(), pdsFresh);

    const token = await mintToken(stack.sandboxUrl, 'clerk');
    const response = await postGraphQL(
      stack.gatewayUrl,
      `query Summary { patient(nhsNumber: "9000000009") { nhsNumber } }`,
      undefined,
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();

    expect(metricValue(await demographicsMetrics(), pdsOk)).toBe(beforePds + 1);
    expect(metricValue(await gatewayMetrics(), summaryOk)).toBe(beforeGateway + 1);
    expect(metricValue(await gatewayMetrics(), summaryTimed)).toBe(beforeTimed + 1);
    expect(metricValue(await demographicsMetrics(), pdsFresh)).toBe(beforeFresh + 1);
    expect(await gatewayMetrics()).not.toMatch(/operation="Summary"/);
    expect(await demographicsMetrics()).toMatch(
      /nhs_graph_upstream_request_duration_seconds_bucket\{le="[\d.]+",service="PDS"\}/,
    );
  });

  it('shows per-upstream error rates and latency in the status view, as JSON and HTML', async () => {
    const token = await mintToken(stack.sandboxUrl, 'clerk');
    await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9111231130") { nhsNumber } }`,
      undefined,
      bearer(token),
    );
    const status = (await (await fetch(`${base()}/status`)).json()) as {
      subgraphs: Array<{
        subgraph: string;
        healthy: boolean;
        upstreams: Array<{ service: string; calls: number; latencyMs: { p50: number | null } }>;
      }>;
    };
    const demographics = status.subgraphs.find((s) => s.subgraph === 'demographics');
    expect(demographics?.healthy).toBe(true);
    const pds = demographics?.upstreams.find((u) => u.service === 'PDS');
    expect(pds?.calls).toBeGreaterThan(0);
    expect(pds?.latencyMs.p50).not.toBeNull();

    const html = await (await fetch(`${base()}/status`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('<table>');
    expect(html).toContain('PDS');
    expect(html).toContain('<meta http-equiv="refresh" content="15">');
    expect(html).toContain('pds-availability');
  });

  it('shows the build, the environment and each objective with its error budget, added up across processes', async () => {
    const token = await mintToken(stack.sandboxUrl, 'clerk');
    // 9111231130 is not found in PDS: an answer about the request, not a failure of PDS.
    for (const nhsNumber of ['9000000009', '9111231130'])
      await postGraphQL(
        stack.gatewayUrl,
        `{ patient(nhsNumber: "${nhsNumber}") { nhsNumber } }`,
        undefined,
        bearer(token),
      );
    const status = (await (await fetch(`${base()}/status`)).json()) as {
      environment: string;
      build: { version: string };
      gateway: { healthy: boolean };
      objectives: Array<{ name: string; all: number; bad: number; budgetRemaining: number | null }>;
    };
    expect(status).toMatchObject({
      environment: 'test',
      build: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      gateway: { healthy: true },
    });
    const objective = (name: string) => status.objectives.find((o) => o.name === name);
    // Counted by the demographics subgraph's process, reported through the gateway.
    expect(objective('pds-availability')).toMatchObject({ bad: 0, budgetRemaining: 1 });
    expect(objective('pds-availability')?.all).toBeGreaterThanOrEqual(2);
    expect(objective('gateway-availability')?.all).toBeGreaterThanOrEqual(2);
    expect(objective('gateway-availability')?.bad).toBe(0);
  });
});
