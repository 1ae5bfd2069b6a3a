// One subgraph down (its process stopped) in a running stack: the rest of a query still answers,
// the missing part carries SUBGRAPH_UNAVAILABLE and nothing internal (no host, port, internal
// request or stack), and the gateway's /status says which subgraph is down.
import { execFileSync } from 'node:child_process';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { useTestStack } from './stack.js';

const stack = useTestStack();

/** Stops the process listening on this subgraph's port (a child of this file's stack). */
function stopSubgraph(url: string): void {
  const port = new URL(url).port;
  // fuser prints the pids on stdout ("<port>/tcp:" goes to stderr).
  const pids = execFileSync('fuser', [`${port}/tcp`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((pid) => pid > 0 && pid !== process.pid);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}

describe('a subgraph outage', () => {
  it('answers the rest of the query, and the missing part with SUBGRAPH_UNAVAILABLE and nothing internal', async () => {
    const clinician = await stack.bearer('clinician');
    const careRecordUrl = stack.subgraphUrls['careRecord'] as string;
    stopSubgraph(careRecordUrl);

    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9000000009") { nhsNumber name { family } allergies { active { items { code { code } } } } } }`,
      undefined,
      clinician,
    );
    expect(response.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009', allergies: null });
    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(response.body.errors?.[0]?.path).toEqual(['patient', 'allergies']);
    const text = JSON.stringify(response.body);
    const port = new URL(careRecordUrl).port;
    expect(text).not.toMatch(
      /ECONNREFUSED|127\.0\.0\.1|localhost|_entities|representations|stack|"request"/i,
    );
    expect(text).not.toContain(port);

    const status = (await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/status')).then((r) => r.json())) as {
      subgraphs: Array<{ subgraph: string; healthy: boolean }>;
    };
    const down = status.subgraphs.filter((s) => !s.healthy).map((s) => s.subgraph);
    expect(down).toEqual(['careRecord']);
  }, 30_000);
});
