// Upstream call spans: the facts an operator needs (service, operation template, status,
// attempts, breaker state, correlation id) and none of the patient's identifiers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createUpstreamClient } from './http.js';
import { createLogger } from './logger.js';
import { TRACE_ATTRIBUTES } from './tracing.js';

const NHS_NUMBER = '9000000009';
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
const logger = createLogger('tracing-test', 'silent');
let server: Server;
let baseUrl: string;
let status = 200;

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/fhir+json' });
    response.end(JSON.stringify({ resourceType: 'Patient', id: NHS_NUMBER }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/FHIR/R4`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  trace.disable();
});

beforeEach(() => {
  exporter.reset();
  status = 200;
});

describe('upstream call spans', () => {
  it('records service, templated operation, status, attempts, breaker state and correlation id', async () => {
    const client = createUpstreamClient({ name: 'PDS', baseUrl, timeoutMs: 1000 }, logger);
    await client.request({ path: `/Patient/${NHS_NUMBER}`, correlationId: 'corr-trace-1' });
    const [span, ...others] = exporter.getFinishedSpans();
    expect(others).toHaveLength(0);
    expect(span?.name).toBe('GET /Patient/{id}');
    expect(span?.attributes).toMatchObject({
      [TRACE_ATTRIBUTES.service]: 'PDS',
      [TRACE_ATTRIBUTES.operation]: 'GET /Patient/{id}',
      [TRACE_ATTRIBUTES.status]: 200,
      [TRACE_ATTRIBUTES.attempts]: 1,
      [TRACE_ATTRIBUTES.breaker]: 'closed',
      [TRACE_ATTRIBUTES.correlationId]: 'corr-trace-1',
    });
  });

  it('counts retries on the span and exports no NHS number anywhere', async () => {
    status = 503;
    const client = createUpstreamClient(
      {
        name: 'PDS-RETRY',
        baseUrl,
        timeoutMs: 1000,
        retry: { maxAttempts: 2, budgetMs: 5000, maxRetryAfterSeconds: 1, baseDelayMs: 1, maxDelayMs: 2 },
      },
      logger,
    );
    await client.request({ path: `/Patient/${NHS_NUMBER}`, correlationId: 'corr-trace-2' });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes[TRACE_ATTRIBUTES.attempts]).toBe(2);
    expect(spans[0]?.attributes[TRACE_ATTRIBUTES.status]).toBe(503);
    const exported = JSON.stringify(
      spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
      })),
    );
    expect(exported).not.toContain(NHS_NUMBER);
  });
});
