// Which process listens on a port (from `ss -ltnp`): to kill one subgraph as a crash would, and to
// tell afterwards whether any process of the stack died or was replaced.
import { execFileSync } from 'node:child_process';

export function listeningPid(port: number): number | null {
  let out: string;
  try {
    out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  } catch {
    return null;
  }
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : null;
}

export const portOf = (url: string): number => Number(new URL(url).port);

export async function waitForPid(
  port: number,
  timeoutMs: number,
  except: number | null = null,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = listeningPid(port);
    if (pid !== null && pid !== except) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}
