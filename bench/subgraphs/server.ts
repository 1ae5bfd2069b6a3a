// A deliberately thin HTTP front for the benchmark subgraphs, so the subgraphs cost as little as
// possible and the comparison measures the gateways (the reference runs Rust subgraphs). Each is
// a real @apollo/subgraph schema executed with graphql-js; parsed and validated documents are
// cached, and, since the data never changes, so is each distinct request body's answer
// (BENCH_SUBGRAPH_MEMO=0 turns that off). Every request is counted, for "subgraph requests per
// operation". The gateway's internal token (nhs-graph) is accepted and ignored.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { BenchSubgraph, BenchSubgraphName } from './schemas.js';

export type RequestCounts = Record<string, number>;

interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const MAX_MEMO_ENTRIES = 10_000;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export interface BenchSubgraphServers {
  urls: Record<BenchSubgraphName, string>;
  close(): Promise<void>;
}

export async function startBenchSubgraphs(
  subgraphs: readonly BenchSubgraph[],
  ports: Partial<Record<BenchSubgraphName, number>>,
  options: { memo: boolean; host?: string },
): Promise<BenchSubgraphServers> {
  const host = options.host ?? '127.0.0.1';
  const counts: RequestCounts = Object.fromEntries(subgraphs.map(({ name }) => [name, 0]));
  const servers: Server[] = [];
  const urls = {} as Record<BenchSubgraphName, string>;
  for (const subgraph of subgraphs) {
    const handle = graphqlHandler(subgraph, options.memo);
    const server = createServer((req, res) => {
      route(req, res, subgraph.name, handle, counts).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, JSON.stringify({ errors: [{ message: String(error) }] }));
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(ports[subgraph.name] ?? 0, host, resolve));
    servers.push(server);
    urls[subgraph.name] = `http://${host}:${(server.address() as AddressInfo).port}/graphql`;
  }
  return {
    urls,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

type Handle = (body: string) => Promise<string>;

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  name: BenchSubgraphName,
  handle: Handle,
  counts: RequestCounts,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && path === '/graphql') {
    counts[name] = (counts[name] ?? 0) + 1;
    send(res, 200, await handle(await readBody(req)));
  } else if (req.method === 'GET' && path === '/health') {
    send(res, 200, '{"status":"ok"}');
  } else if (req.method === 'GET' && path === '/_bench/counts') {
    send(res, 200, JSON.stringify(counts));
  } else if (req.method === 'POST' && path === '/_bench/reset') {
    for (const key of Object.keys(counts)) counts[key] = 0;
    send(res, 200, JSON.stringify(counts));
  } else {
    send(res, 404, '{"error":"not found"}');
  }
}

function graphqlHandler(subgraph: BenchSubgraph, memo: boolean): Handle {
  const schema = buildSubgraphSchema([{ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers }]);
  const documents = new Map<string, DocumentNode | { errors: string }>();
  const answers = new Map<string, string>();
  return async (raw) => {
    const cached = memo ? answers.get(raw) : undefined;
    if (cached !== undefined) return cached;
    const answer = await run(schema, documents, raw);
    if (memo && !answer.includes('"errors"')) {
      if (answers.size >= MAX_MEMO_ENTRIES) answers.clear();
      answers.set(raw, answer);
    }
    return answer;
  };
}

async function run(
  schema: GraphQLSchema,
  documents: Map<string, DocumentNode | { errors: string }>,
  raw: string,
): Promise<string> {
  let body: GraphQLBody;
  try {
    body = JSON.parse(raw) as GraphQLBody;
  } catch {
    return JSON.stringify({ errors: [{ message: 'body is not JSON' }] });
  }
  if (typeof body.query !== 'string') return JSON.stringify({ errors: [{ message: 'no query' }] });
  let document = documents.get(body.query);
  if (document === undefined) {
    try {
      const parsed = parse(body.query);
      const errors = validate(schema, parsed);
      document = errors.length ? { errors: JSON.stringify({ errors }) } : parsed;
    } catch (error) {
      document = { errors: JSON.stringify({ errors: [{ message: String(error) }] }) };
    }
    documents.set(body.query, document);
  }
  if ('errors' in document) return document.errors;
  const result = await execute({
    schema,
    document,
    variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
  });
  return JSON.stringify(result);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
