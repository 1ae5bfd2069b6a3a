// The sandbox's own JSON endpoints, for tests and the start script: health, request counts and
// log, and fault injection at run time (faults.ts). Never delayed or failed by injected faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, readBody, sendJson } from './http-util.js';
import { FaultConfigSchema, type UpstreamFaults } from './faults.js';
import type { RequestLog } from './request-log.js';
import type { UpstreamName } from './upstream.js';

export { FaultConfigSchema };

export interface ControlState {
  log: RequestLog;
  faults: Map<UpstreamName, UpstreamFaults>;
  /** Undoes what writes changed in every stand-in (PDS updates, bookings). */
  resetUpstreams?: () => void;
}

const faultsBody = (state: ControlState): unknown => ({
  faults: Object.fromEntries([...state.faults].map(([name, faults]) => [name, faults.config])),
});
const problem = (res: ServerResponse, status: number, error: string): void =>
  sendJson(res, status, { error });

async function putFault(
  req: IncomingMessage,
  res: ServerResponse,
  state: ControlState,
  name: string,
): Promise<void> {
  const upstream = [...state.faults.keys()].find((known) => known === name);
  if (upstream === undefined) return problem(res, 404, `unknown upstream '${name}'`);
  let json: unknown;
  try {
    json = JSON.parse(await readBody(req));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return problem(res, 413, error.message);
    return problem(res, 400, 'body must be JSON, e.g. {"latencyMs": 200}');
  }
  const parsed = FaultConfigSchema.safeParse(json);
  if (!parsed.success) return problem(res, 400, `invalid fault config: ${z.prettifyError(parsed.error)}`);
  state.faults.get(upstream)?.set(parsed.data);
  sendJson(res, 200, faultsBody(state));
}

/** Answers a control request; returns false when the path is not a control endpoint. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: ControlState,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const only = (allowed: string, answer: () => void | Promise<void>): void | Promise<void> => {
    if (method === allowed) return answer();
    res.setHeader('Allow', allowed);
    return problem(res, 405, `${method} not allowed on ${path}`);
  };
  if (path === '/health') {
    await only('GET', () => sendJson(res, 200, { status: 'ok' }));
  } else if (path === '/_sandbox/requests') {
    await only('GET', () => sendJson(res, 200, state.log.snapshot()));
  } else if (path === '/_sandbox/reset') {
    await only('POST', () => {
      state.log.reset();
      state.resetUpstreams?.();
      sendJson(res, 200, state.log.snapshot());
    });
  } else if (path === '/_sandbox/faults') {
    await only('GET', () => sendJson(res, 200, faultsBody(state)));
  } else if (path.startsWith('/_sandbox/faults/')) {
    const name = path.slice('/_sandbox/faults/'.length);
    await only('PUT', () => putFault(req, res, state, name));
  } else {
    return false;
  }
  return true;
}
