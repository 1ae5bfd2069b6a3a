import { chain, verifyChain, type AuditEvent, type AuditRecord } from './record.js';

const event = (nhsNumber: string, outcome: AuditEvent['outcome'] = 'read'): AuditEvent => ({
  at: '2026-11-24T12:00:00.000Z',
  correlationId: 'c-1',
  principal: {
    kind: 'staff',
    subject: '910000000001',
    issuer: 'cis2',
    roleId: '555254240100',
    orgCode: 'Y12345',
  },
  nhsNumber,
  operationName: 'PatientSummary',
  service: 'PDS',
  resourceTypes: ['Patient'],
  fields: ['Patient.name'],
  authorisation: 'cis2 role S8000:G8000:R8000',
  outcome,
  detail: null,
});

const records = (): AuditRecord[] =>
  chain(null, [event('9000000009'), event('9000000017'), event('9000000025', 'denied')]);

describe('the audit hash chain', () => {
  it('verifies an untouched chain, and continues one across appends', () => {
    const first = records();
    const more = chain(first.at(-1) ?? null, [event('9000000033')]);
    expect(verifyChain([...first, ...more])).toEqual({ ok: true, records: 4, brokenAt: null });
  });

  it.each<[string, (chain: AuditRecord[]) => AuditRecord[], number]>([
    ['an edited field', (c) => c.map((r) => (r.seq === 2 ? { ...r, nhsNumber: '9000000041' } : r)), 2],
    [
      'an edited outcome with its hash recomputed naively',
      (c) => c.map((r) => (r.seq === 3 ? { ...r, outcome: 'read' } : r)),
      3,
    ],
    ['a deleted record', (c) => c.filter((r) => r.seq !== 2), 3],
    ['two records swapped', (c) => [c[0], c[2], c[1]] as AuditRecord[], 3],
    [
      'the last record removed and replaced',
      (c) => [
        ...c.slice(0, 2),
        {
          ...(c[2] as AuditRecord),
          principal: { ...(c[2] as AuditRecord).principal, subject: 'someone-else' },
        },
      ],
      3,
    ],
  ])('detects %s', (_case, tamper, brokenAt) => {
    expect(verifyChain(tamper(records()))).toMatchObject({ ok: false, brokenAt });
  });
});
