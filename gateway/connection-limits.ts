// Slow clients cost the gateway connections, not work: headers must arrive within
// `headersTimeoutMs` (Node's own check, run every second rather than every 30 s), and one client
// address may hold at most `maxConnectionsPerAddress` connections; the next is closed at once.
// Behind a load balancer every client shares the balancer's address, so raise the cap there.
import type { Server, ServerOptions } from 'node:http';
import type { AdmissionLimits } from './config.js';

type Limits = Pick<AdmissionLimits, 'headersTimeoutMs' | 'bodyTimeoutMs' | 'maxConnectionsPerAddress'>;

/** Options for `createServer`: Node's own header and whole-request deadlines. */
export function slowClientServerOptions(limits: Limits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // A backstop: the body deadline itself is gateway/request-intake.ts's, which answers 408 first.
    requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1000,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
}

export function limitConnectionsPerAddress(server: Server, maxPerAddress: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
