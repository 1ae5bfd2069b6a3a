// Binding a server to its port. `server.listen` reports a taken port only as an 'error' event, so
// a bare `listen(port, host, resolve)` never settles and a caller awaiting it hangs (in tests and
// in-process stacks, where nothing else exits the process): this settles either way.
import type { Server } from 'node:net';

export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const refuse = (error: Error) => reject(error);
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
}
