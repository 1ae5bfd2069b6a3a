// Reads and resets the sandbox's request counters, so tests can count upstream calls.
export interface SandboxLogEntry {
  upstream: string;
  method: string;
  route: string;
  path: string;
  requestId: string | null;
  correlationId: string | null;
}

export async function sandboxRequests(
  sandboxUrl: string,
): Promise<{ counts: Record<string, number>; log: SandboxLogEntry[] }> {
  const response = await fetch(`${sandboxUrl}/_sandbox/requests`);
  return (await response.json()) as { counts: Record<string, number>; log: SandboxLogEntry[] };
}

export async function resetSandbox(sandboxUrl: string): Promise<void> {
  await fetch(`${sandboxUrl}/_sandbox/reset`, { method: 'POST' });
}

/** Number of calls the sandbox received for one upstream (e.g. `pds`). */
export async function upstreamCalls(sandboxUrl: string, upstream: string): Promise<number> {
  const { log } = await sandboxRequests(sandboxUrl);
  return log.filter((entry) => entry.upstream === upstream).length;
}

/** The sandbox's route for GP Connect's structured-record call (one per patient per request). */
export const GP_STRUCTURED_RECORD_ROUTE =
  'gpconnect POST /{ods}/STU3/1/gpconnect/structured/fhir/Patient/$gpc.getstructuredrecord';

/** How many structured-record calls GP Connect (the sandbox) has received since its last reset. */
export async function structuredRecordCalls(sandboxUrl: string): Promise<number> {
  return (await sandboxRequests(sandboxUrl)).counts[GP_STRUCTURED_RECORD_ROUTE] ?? 0;
}
