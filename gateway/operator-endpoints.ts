// Operators' endpoints on the gateway: GET /metrics (Prometheus), GET /status (integration
// status, JSON or a small self-refreshing HTML page: the build and environment; per upstream,
// recent failure rate by type, "not found"/"refused" answers apart, and latency percentiles as
// each subgraph sees them; each objective of ops/slos.yaml with the error budget left since the
// processes started). Neither carries patient data or secrets; in production expose them on the
// internal network only.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { GatewayConfig } from './config.js';
import { graphqlDuration, graphqlRequests, metricsText, operationLabel } from '../platform/metrics.js';
import { buildInfo } from '../platform/build-info.js';
import {
  objectiveCountsOfThisProcess,
  objectiveStatusesOf,
  type ObjectiveCount,
  type ObjectiveStatus,
} from '../platform/slo-status.js';
import type { CacheStatus, UpstreamStatus } from '../platform/upstream-stats.js';

interface SubgraphStatus {
  subgraph: string;
  healthy: boolean;
  upstreams: UpstreamStatus[];
  caches: CacheStatus[];
  objectives: ObjectiveCount[];
}

interface GatewayStatus {
  generatedAt: string;
  environment: string;
  build: { version: string; commit: string | null };
  gateway: { healthy: true; uptimeSeconds: number; queryPlanner: 'rust' | 'js' };
  /** The planner running (also under `gateway`). */
  queryPlanner: 'rust' | 'js';
  subgraphs: Omit<SubgraphStatus, 'objectives'>[];
  /** Since each process started; the 30-day budget is Prometheus's (ops/prometheus/slo-rules.yml). */
  objectives: ObjectiveStatus[];
}

async function gatewayStatus(config: GatewayConfig): Promise<GatewayStatus> {
  const [statuses, own] = await Promise.all([
    subgraphStatuses(config),
    objectiveCountsOfThisProcess().catch(() => []),
  ]);
  return {
    generatedAt: new Date().toISOString(),
    environment: config.env,
    build: buildInfo(),
    gateway: {
      healthy: true,
      uptimeSeconds: Math.round(process.uptime()),
      queryPlanner: config.edge.queryPlanner,
    },
    queryPlanner: config.edge.queryPlanner,
    subgraphs: statuses.map(({ objectives: _counts, ...status }) => status),
    objectives: objectiveStatusesOf([own, ...statuses.map((status) => status.objectives)]),
  };
}

const operationNames = new WeakMap<Request, string | undefined>();

/** The operation the client asked for, by name, once it is executing (for the internal token's audit claim). */
export const clientOperationNameOf = (request: Request): string | undefined => operationNames.get(request);
const arrivals = new WeakMap<Request, number>();

export function useOperatorEndpoints(config: GatewayConfig): GatewayPlugin {
  return {
    async onRequest(payload) {
      const { request, url } = payload;
      arrivals.set(request, performance.now());
      if (request.method !== 'GET') return;
      if (url.pathname === '/metrics') {
        const { contentType, body } = await metricsText();
        payload.endResponse(new Response(body, { headers: { 'content-type': contentType } }));
      } else if (url.pathname === '/status') {
        const status = await gatewayStatus(config);
        const html = request.headers.get('accept')?.includes('text/html') ?? false;
        payload.endResponse(html ? htmlResponse(status) : Response.json(status));
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
      const operation = operationLabel(operationNames.get(request));
      graphqlRequests.inc({
        component: 'gateway',
        operation,
        outcome: typeof code === 'string' ? code : single?.errors?.length ? 'error' : 'ok',
      });
      const arrived = arrivals.get(request);
      if (arrived !== undefined)
        graphqlDuration.observe({ component: 'gateway', operation }, (performance.now() - arrived) / 1000);
    },
  };
}

async function subgraphStatuses(config: GatewayConfig): Promise<SubgraphStatus[]> {
  return Promise.all(
    Object.entries(config.subgraphs).map(async ([subgraph, { url }]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, '/status'), {
          signal: AbortSignal.timeout(2000),
        });
        const body = (await response.json()) as Partial<Omit<SubgraphStatus, 'subgraph' | 'healthy'>>;
        return {
          subgraph,
          healthy: response.ok,
          upstreams: body.upstreams ?? [],
          caches: body.caches ?? [],
          objectives: body.objectives ?? [],
        };
      } catch {
        return { subgraph, healthy: false, upstreams: [], caches: [], objectives: [] };
      }
    }),
  );
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);

function htmlResponse(status: GatewayStatus): Response {
  const statuses = status.subgraphs;
  const rows = statuses.flatMap((subgraph) =>
    subgraph.upstreams.length === 0
      ? [
          `<tr><td>${escape(subgraph.subgraph)}</td><td>${subgraph.healthy ? 'up' : '<b>DOWN</b>'}</td><td colspan="7">no upstream calls yet</td></tr>`,
        ]
      : subgraph.upstreams.map(
          (u) =>
            `<tr><td>${escape(subgraph.subgraph)}</td><td>${subgraph.healthy ? 'up' : '<b>DOWN</b>'}</td><td>${escape(u.service)}</td>` +
            `<td>${u.breaker === 'closed' ? 'closed' : `<b>${escape(u.breaker)}</b>`}</td>` +
            `<td>${u.calls}</td><td>${(u.failureRate * 100).toFixed(1)}% ${escape(JSON.stringify(u.failuresByType))}</td>` +
            `<td>${escape(JSON.stringify(u.clientErrors))}</td>` +
            `<td>${ms(u.latencyMs.p50)} / ${ms(u.latencyMs.p95)} / ${ms(u.latencyMs.p99)}</td><td>${escape(u.lastCallAt ?? '–')}</td></tr>`,
        ),
  );
  const { version, commit } = status.build;
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15"><title>nhs-graph integration status</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style></head>
<body><h1>nhs-graph integration status</h1>
<p>Environment <b>${escape(status.environment)}</b>, version ${escape(version)}${commit === null ? '' : ` (${escape(commit)})`}, gateway up ${status.gateway.uptimeSeconds} s, query planner ${escape(status.queryPlanner)}; refreshed every 15 s at ${escape(status.generatedAt)}.</p>
<h2>Objectives</h2><p>Since each process started (ops/slos.yaml; Prometheus holds the 30-day budget).</p>
<table><thead><tr><th>objective</th><th>service</th><th>target</th><th>events</th><th>bad</th><th>error budget left</th></tr></thead>
<tbody>${status.objectives.map(objectiveRow).join('\n')}</tbody></table>
<h2>National services</h2><p>Last 5 minutes, as each subgraph sees its national services.</p>
<table><thead><tr><th>subgraph</th><th>state</th><th>upstream</th><th>breaker</th><th>calls</th><th>failures</th><th>not found / refused</th><th>latency p50 / p95 / p99</th><th>last call</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Cache freshness</h2><p>Lookups per tier, hit rate, and the age of entries served from cache.</p>
<table><thead><tr><th>subgraph</th><th>tier</th><th>lookups</th><th>hit rate</th><th>served age p50 / max</th></tr></thead>
<tbody>${cacheRows(statuses).join('\n')}</tbody></table>
</body></html>`;
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function objectiveRow(o: ObjectiveStatus): string {
  const left =
    o.budgetRemaining === null
      ? '–'
      : o.budgetRemaining < 0
        ? `<b>overspent ${Math.round(-o.budgetRemaining * 100)}%</b>`
        : `${Math.round(o.budgetRemaining * 100)}%`;
  return `<tr><td title="${escape(o.description)}">${escape(o.name)}</td><td>${escape(o.service)}</td><td>${o.target}%</td><td>${o.all}</td><td>${o.bad}</td><td>${left}</td></tr>`;
}

function cacheRows(statuses: GatewayStatus['subgraphs']): string[] {
  const seconds = (value: number | null) => (value === null ? '–' : `${value} s`);
  return statuses.flatMap((subgraph) =>
    subgraph.caches.map(
      (c) =>
        `<tr><td>${escape(subgraph.subgraph)}</td><td>${escape(c.tier)}</td><td>${c.lookups}</td>` +
        `<td>${(c.hitRate * 100).toFixed(0)}%</td><td>${seconds(c.servedAgeSeconds.p50)} / ${seconds(c.servedAgeSeconds.max)}</td></tr>`,
    ),
  );
}
