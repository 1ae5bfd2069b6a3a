// One measured load: autocannon at a fixed number of connections, a warm-up and then a measured
// window, every response checked against the expected answer (a wrong or partial answer is an
// error, not just a non-200), every request with another valid token from a pool, and the
// watched processes' memory and CPU sampled over the measured window.
import autocannon, { type AutocannonResult } from 'autocannon';
import { processTicks, startSampler, type WindowUsage } from './sampler.js';

export interface LoadSpec {
  url: string;
  /** The JSON request body. */
  body: string;
  tokens: readonly string[];
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** True when a response body is exactly the expected answer. */
  verify: (body: string) => boolean;
  /** Processes to sample during the measured window (name -> pid). */
  watch: Record<string, number | undefined>;
  /** Run between the warm-up and the measured window (e.g. reset counters), and after it. */
  beforeMeasure?: () => void | Promise<void>;
  afterMeasure?: () => void | Promise<void>;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ErrorCounts {
  /** Every failed request: wrong or non-2xx answers plus connection errors and timeouts. */
  total: number;
  /** Answers that were not exactly the expected data (non-2xx answers included). */
  wrongAnswers: number;
  non2xx: number;
  connectionErrors: number;
  timeouts: number;
  /** The first wrong answer, shortened, to say what went wrong. */
  sample?: string;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  responses: number;
  requestsPerSecond: number;
  latencyMs: Percentiles;
  errors: ErrorCounts;
  warmup: { seconds: number; responses: number; errors: number };
  usage: WindowUsage;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const warmup = spec.warmupSeconds > 0 ? await drive(spec, spec.warmupSeconds) : null;
  // Requests the warm-up left in flight must not be served inside the measured window.
  if (warmup) await settle(Object.values(spec.watch));
  await spec.beforeMeasure?.();
  const sampler = startSampler(spec.watch);
  const measured = await drive(spec, spec.durationSeconds);
  const usage = sampler.stop();
  await spec.afterMeasure?.();
  return {
    connections: spec.connections,
    seconds: measured.seconds,
    responses: measured.latencies.length,
    requestsPerSecond: measured.latencies.length / measured.seconds,
    latencyMs: percentiles(measured.latencies),
    errors: measured.errors,
    warmup: {
      seconds: warmup?.seconds ?? 0,
      responses: warmup?.latencies.length ?? 0,
      errors: warmup?.errors.total ?? 0,
    },
    usage,
  };
}

/** Waits (up to 20 s) until the watched processes are close to idle (< 5% of a core for 300 ms). */
export async function settle(pids: Array<number | undefined>): Promise<void> {
  const watched = pids.filter((pid): pid is number => pid !== undefined);
  const ticks = () => watched.reduce((total, pid) => total + (processTicks(pid) ?? 0), 0);
  const deadline = Date.now() + 20_000;
  let before = ticks();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = ticks();
    if (after - before <= 1) return;
    before = after;
  }
}

interface Drive {
  seconds: number;
  latencies: number[];
  errors: ErrorCounts;
}

async function drive(spec: LoadSpec, durationSeconds: number): Promise<Drive> {
  let next = 0;
  let wrongAnswers = 0;
  let sample: string | undefined;
  const latencies: number[] = [];
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: durationSeconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: spec.body,
        // A different valid token on each request, so nothing can be de-duplicated.
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            authorization: `Bearer ${spec.tokens[next++ % spec.tokens.length] ?? ''}`,
          },
        }),
      },
    ],
    verifyBody: (body) => {
      if (spec.verify(body)) return true;
      wrongAnswers++;
      sample ??= body.slice(0, 600);
      return false;
    },
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const started = process.hrtime.bigint();
  const result: AutocannonResult = await instance;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const connectionErrors = result.errors - result.timeouts;
  return {
    seconds: Math.min(seconds, result.duration || seconds),
    latencies,
    errors: {
      total: wrongAnswers + result.errors,
      wrongAnswers,
      non2xx: result.non2xx,
      connectionErrors,
      timeouts: result.timeouts,
      ...(sample === undefined ? {} : { sample }),
    },
  };
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p95: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** A verifier: the exact expected body (fast path), else the parsed body deep-equal to it. */
export function exactAnswer(expected: unknown): (body: string) => boolean {
  const text = JSON.stringify(expected);
  return (body) => {
    if (body.length >= text.length && body.length <= text.length + 2 && body.startsWith(text)) {
      return body.slice(text.length).trim() === '';
    }
    try {
      return deepEqual(JSON.parse(body), expected);
    } catch {
      return false;
    }
  };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  return aKeys.every((key) => key in bRecord && deepEqual((a as Record<string, unknown>)[key], bRecord[key]));
}
