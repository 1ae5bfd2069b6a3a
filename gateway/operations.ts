// Operators' endpoints on the gateway: GET /metrics (Prometheus), GET /status (integration
// status, JSON or a small HTML page: the query planner running; per upstream, recent error rate by type and latency
// percentiles as each subgraph sees them). Neither carries patient data or secrets; in
// production expose them on the internal network only.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Config } from '../platform/config.js';
import { graphqlRequests, metricsText, operationLabel } from '../platform/metrics.js';
import type { CacheStatus, UpstreamStatus } from '../platform/upstream-stats.js';

interface SubgraphStatus {
  subgraph: string;
  healthy: boolean;
  upstreams: UpstreamStatus[];
  caches: CacheStatus[];
}

const operationNames = new WeakMap<Request, string | undefined>();

export function useOperations(config: Config): GatewayPlugin {
  return {
    async onRequest(payload) {
      const { request, url } = payload;
      if (request.method !== 'GET') return;
      if (url.pathname === '/metrics') {
        const { contentType, body } = await metricsText();
        payload.endResponse(new Response(body, { headers: { 'content-type': contentType } }));
      } else if (url.pathname === '/status') {
        const statuses = await subgraphStatuses(config);
        const { queryPlanner } = config.edge;
        const html = request.headers.get('accept')?.includes('text/html') ?? false;
        payload.endResponse(
          html
            ? htmlResponse(queryPlanner, statuses)
            : Response.json({ generatedAt: new Date().toISOString(), queryPlanner, subgraphs: statuses }),
        );
      }
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const document = args.document as DocumentNode;
      const name = args.operationName as string | null | undefined;
      if (request) operationNames.set(request, getOperationAST(document, name)?.name?.value);
    },
    onResultProcess({ request, result }) {
      const single = Array.isArray(result)
        ? (result[0] as ExecutionResult | undefined)
        : (result as ExecutionResult);
      const code = single?.errors?.[0]?.extensions?.['code'];
      graphqlRequests.inc({
        component: 'gateway',
        operation: operationLabel(operationNames.get(request)),
        outcome: typeof code === 'string' ? code : single?.errors?.length ? 'error' : 'ok',
      });
    },
  };
}

async function subgraphStatuses(config: Config): Promise<SubgraphStatus[]> {
  return Promise.all(
    Object.entries(config.subgraphs).map(async ([subgraph, { url }]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, '/status'), {
          signal: AbortSignal.timeout(2000),
        });
        const body = (await response.json()) as { upstreams: UpstreamStatus[]; caches?: CacheStatus[] };
        return { subgraph, healthy: response.ok, upstreams: body.upstreams, caches: body.caches ?? [] };
      } catch {
        return { subgraph, healthy: false, upstreams: [], caches: [] };
      }
    }),
  );
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);

function htmlResponse(queryPlanner: string, statuses: SubgraphStatus[]): Response {
  const rows = statuses.flatMap((status) =>
    status.upstreams.length === 0
      ? [
          `<tr><td>${escape(status.subgraph)}</td><td>${status.healthy ? 'up' : '<b>DOWN</b>'}</td><td colspan="6">no upstream calls yet</td></tr>`,
        ]
      : status.upstreams.map(
          (u) =>
            `<tr><td>${escape(status.subgraph)}</td><td>${status.healthy ? 'up' : '<b>DOWN</b>'}</td><td>${escape(u.service)}</td>` +
            `<td>${u.breaker === 'closed' ? 'closed' : `<b>${escape(u.breaker)}</b>`}</td>` +
            `<td>${u.calls}</td><td>${(u.errorRate * 100).toFixed(1)}% ${escape(JSON.stringify(u.errorsByType))}</td>` +
            `<td>${ms(u.latencyMs.p50)} / ${ms(u.latencyMs.p95)} / ${ms(u.latencyMs.p99)}</td><td>${escape(u.lastCallAt ?? '–')}</td></tr>`,
        ),
  );
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nhs-graph integration status</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style></head>
<body><h1>nhs-graph integration status</h1><p>Query planner: ${escape(queryPlanner)}.</p><p>Last 5 minutes, as each subgraph sees its national services.</p>
<table><thead><tr><th>subgraph</th><th>state</th><th>upstream</th><th>breaker</th><th>calls</th><th>errors</th><th>latency p50 / p95 / p99</th><th>last call</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Cache freshness</h2><p>Lookups per tier, hit rate, and the age of entries served from cache.</p>
<table><thead><tr><th>subgraph</th><th>tier</th><th>lookups</th><th>hit rate</th><th>served age p50 / max</th></tr></thead>
<tbody>${cacheRows(statuses).join('\n')}</tbody></table>
</body></html>`;
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function cacheRows(statuses: SubgraphStatus[]): string[] {
  const seconds = (value: number | null) => (value === null ? '–' : `${value} s`);
  return statuses.flatMap((status) =>
    status.caches.map(
      (c) =>
        `<tr><td>${escape(status.subgraph)}</td><td>${escape(c.tier)}</td><td>${c.lookups}</td>` +
        `<td>${(c.hitRate * 100).toFixed(0)}%</td><td>${seconds(c.servedAgeSeconds.p50)} / ${seconds(c.servedAgeSeconds.max)}</td></tr>`,
    ),
  );
}
