// A separate writer for the concurrent-writers test: `node --import tsx append-worker.ts <dir>
// <chain> <appends>` opens the store, says `ready`, and on a line from stdin appends that many
// single-event batches to one chain as fast as it can, so two workers really write at once.
import { once } from 'node:events';
import { createFileAuditStore } from './file-store.js';

const [directory = '', chainName = '', appends = '0'] = process.argv.slice(2);
const store = createFileAuditStore(directory, chainName);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let i = 0; i < Number(appends); i += 1) {
  await store.append([
    {
      at: new Date().toISOString(),
      correlationId: `${process.pid}-${i}`,
      principal: { kind: 'staff', subject: 'clerk-1', issuer: 'cis2', roleId: 'r1', orgCode: 'Y12345' },
      nhsNumber: '9000000009',
      operationName: null,
      service: 'PDS',
      resourceTypes: ['Patient'],
      fields: ['Patient.name'],
      authorisation: 'cis2 role S8000:G8000:R8000',
      outcome: 'read',
      detail: null,
    },
  ]);
}
await store.close();
