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
