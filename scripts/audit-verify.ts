// `npm run audit:verify`: recomputes every audit hash chain (Postgres when DATABASE_URL is set,
// else every embedded chain under AUDIT_DIR: one per source, shared by every process that writes
// it, platform/audit/file-store.ts) and exits non-zero if any record was edited,
// inserted or deleted.
import { createAuditStore } from '../platform/audit/index.js';
import { loadConfig } from '../platform/config.js';

const config = loadConfig();
const store = await createAuditStore(config, 'verify');
const results = await store.verify();
await store.close();
const where = config.audit.databaseUrl ? `Postgres schema ${config.audit.pgSchema}` : config.audit.directory;
for (const [i, result] of results.entries()) {
  const verdict = result.ok ? 'intact' : `BROKEN at record ${result.brokenAt ?? '?'}`;
  console.log(`chain ${i + 1}: ${result.records} record(s) checked, ${verdict}`);
}
const broken = results.some((result) => !result.ok);
console.log(
  broken ? `The audit trail in ${where} has been tampered with.` : `The audit trail in ${where} is intact.`,
);
process.exit(broken ? 1 : 0);
