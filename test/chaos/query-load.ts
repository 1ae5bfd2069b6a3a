// A steady query load through the gateway: N workers, each sending the next patient query as soon
// as the last one answered (a closed loop, like autocannon's connections), every answer recorded
// with its correlation id so the audit trail can be checked against it afterwards.
import { randomUUID } from 'node:crypto';

/** One patient's demographics and registered GP: demographics and organisations subgraphs. */
export const LOAD_QUERY = `query ChaosLoad($n: NhsNumber!) {
  patient(nhsNumber: $n) { nhsNumber name { family } registeredGp { odsCode name } }
}`;
export const LOAD_NHS_NUMBER = '9000000009';

export interface Outcome {
  startedAt: number;
  endedAt: number;
  status: number | null;
  /** `extensions.code` of every error; `NO_CODE` for an error without one. */
  codes: string[];
  /** The answer carried the patient's data (possibly with errors for other fields). */
  withData: boolean;
  /** Data and no errors: normal service. */
  complete: boolean;
  correlationId: string;
  /** No answer at all: the client gave up, or the connection failed. */
  failure?: 'TIMEOUT' | 'CONNECTION_ERROR' | 'NOT_JSON';
}

export interface QueryLoad {
  outcomes: Outcome[];
  stop(): Promise<void>;
}

interface GraphQLBody {
  data?: { patient?: { nhsNumber?: string } | null } | null;
  errors?: Array<{ extensions?: { code?: unknown } }>;
}

export function startQueryLoad(options: {
  gatewayUrl: string;
  headers: () => Record<string, string>;
  connections: number;
  /** A request without an answer by then counts as TIMEOUT. */
  timeoutMs: number;
}): QueryLoad {
  const outcomes: Outcome[] = [];
  let running = true;
  const worker = async () => {
    while (running) outcomes.push(await once(options));
  };
  const workers = Array.from({ length: options.connections }, worker);
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function once(options: {
  gatewayUrl: string;
  headers: () => Record<string, string>;
  timeoutMs: number;
}): Promise<Outcome> {
  const sentId = randomUUID();
  const startedAt = Date.now();
  const outcome = (fields: Partial<Outcome>): Outcome => ({
    startedAt,
    endedAt: Date.now(),
    status: null,
    codes: [],
    withData: false,
    complete: false,
    correlationId: sentId,
    ...fields,
  });
  let response: Response;
  try {
    response = await fetch(options.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': sentId,
        ...options.headers(),
      },
      body: JSON.stringify({ query: LOAD_QUERY, variables: { n: LOAD_NHS_NUMBER } }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return outcome({ failure: timedOut ? 'TIMEOUT' : 'CONNECTION_ERROR' });
  }
  const correlationId = response.headers.get('x-correlation-id') ?? sentId;
  let body: GraphQLBody;
  try {
    body = (await response.json()) as GraphQLBody;
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return outcome({ status: response.status, correlationId, failure: timedOut ? 'TIMEOUT' : 'NOT_JSON' });
  }
  const codes = (body.errors ?? []).map((error) =>
    typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE',
  );
  const withData = body.data?.patient?.nhsNumber === LOAD_NHS_NUMBER;
  return outcome({
    status: response.status,
    correlationId,
    codes,
    withData,
    complete: withData && codes.length === 0,
  });
}
