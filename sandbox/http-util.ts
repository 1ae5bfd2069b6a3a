// Small node:http helpers shared by the server and the stand-ins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const FHIR_JSON = 'application/fhir+json';
const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads a request body as UTF-8, refusing anything larger than the control API could need. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

/** Splits a request target without `new URL`, which would read `//host/x` as a host. */
export function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  const raw = target ?? '/';
  const at = raw.indexOf('?');
  return at < 0
    ? { path: raw, query: new URLSearchParams() }
    : { path: raw.slice(0, at), query: new URLSearchParams(raw.slice(at + 1)) };
}

/** The first value of a header, or null when absent (an empty header stays ''). */
export function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** A plain FHIR OperationOutcome for sandbox-level faults that no real payload covers. */
export function operationOutcome(code: string, diagnostics: string, severity = 'error'): unknown {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/**
 * Waits at least `ms` (timers may fire a little early on libuv's millisecond clock, and injected
 * latency is a promise to callers that measure it). Rejects when `signal` aborts.
 */
export async function delay(ms: number, signal: AbortSignal): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    await sleep(Math.ceil(left), undefined, { signal });
  }
}
