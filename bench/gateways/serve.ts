// What the benchmark gateway processes share: listen on BENCH_GATEWAY_PORT and exit
// cleanly on SIGTERM (a clean exit is what makes `node --cpu-prof` write its profile).
import { createServer, type RequestListener } from 'node:http';

export function benchEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export async function serveUntilSignal(
  listener: RequestListener,
  close: () => void | Promise<void>,
): Promise<void> {
  const server = createServer(listener);
  const port = Number(benchEnv('BENCH_GATEWAY_PORT'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  exitOnSignal(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await close();
  });
}

export function exitOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
