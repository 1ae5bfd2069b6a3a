import { badUserInput } from '../../platform/errors.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { toAuditRecord } from './mapping.js';

const MAX_PAGE = 200;
/** Subjects and correlation ids are short printable identifiers; anything else cannot match a record. */
const MAX_FILTER_TEXT = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refused here, as the caller's mistake: Postgres rejects NUL in text with an internal error. */
function checkFilterText(value: string | null | undefined, argument: string): void {
  if (value === null || value === undefined) return;
  if (value.length > MAX_FILTER_TEXT || CONTROL.test(value))
    throw badUserInput(
      `${argument} must be at most ${MAX_FILTER_TEXT} printable characters.`,
      `filter.${argument}`,
    );
}

export const resolvers: Resolvers = {
  Query: {
    async auditRecords(_root, { filter, first, offset }, { sources, audit }) {
      if (!filter.patient && !filter.subject && !filter.correlationId) {
        throw badUserInput('Give at least one of patient, subject or correlationId.', 'filter');
      }
      checkFilterText(filter.subject, 'subject');
      checkFilterText(filter.correlationId, 'correlationId');
      const limit = first ?? 50;
      if (limit < 1 || limit > MAX_PAGE)
        throw badUserInput(`first must be between 1 and ${MAX_PAGE}.`, 'first');
      const skip = Math.max(0, offset ?? 0);
      // Reading the audit trail is itself an access to personal data: it is audited first.
      await audit.recordAccess('nhs-graph-audit', [
        { nhsNumber: filter.patient ?? null, resourceTypes: ['AuditRecord'], outcome: 'read' },
      ]);
      const records = await sources.auditStore.query({
        nhsNumber: filter.patient ?? null,
        subject: filter.subject ?? null,
        correlationId: filter.correlationId ?? null,
        offset: skip,
        limit: limit + 1,
      });
      return {
        records: records.slice(0, limit).map(toAuditRecord),
        nextOffset: records.length > limit ? skip + limit : null,
      };
    },
  },
};
