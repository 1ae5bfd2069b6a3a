// The ODS stand-in's errors: the IG's published HAPI OperationOutcome examples, with their HTTP
// status from the IG error-handling page (Organisational-Reference-Data/Home/Build/
// Error-handling.page.md) and the ODT specification's 4XX tables. The quoted value in each
// published `diagnostics` is replaced by the one the request sent, as HAPI words them.
import { readIgExample } from './fixtures.js';

interface ErrorSource {
  status: number;
  file: string;
  /** The request-specific text in the published diagnostics, replaced when the error is built. */
  placeholder: string;
}

export const ODS_ERRORS = {
  // 404 "Organization not found".
  NOT_FOUND: {
    status: 404,
    file: 'ODS-OperationOutcome-InvalidID-Example.xml',
    placeholder: 'Organization/83632648493',
  },
  // 400 "Unknown Search Parameter".
  UNKNOWN_PARAMETER: {
    status: 400,
    file: 'ODS-OperationOutcome-UnknownSearchParameter-Example.xml',
    placeholder: '"INVALID"',
  },
  // 400 "Invalid Date/Time/Quantity format".
  INVALID_FORMAT: {
    status: 400,
    file: 'ODS-OperationOutcome-InvalidFormat-Example.xml',
    placeholder: '"gtINVALID"',
  },
  // 405 "Method Not Allowed".
  METHOD_NOT_ALLOWED: {
    status: 405,
    file: 'ODS-OperationOutcome-MethodNotAllowed-Example.xml',
    placeholder: 'HTTP Method DELETE',
  },
} as const satisfies Record<string, ErrorSource>;
export type OdsErrorCode = keyof typeof ODS_ERRORS;

interface Issue {
  diagnostics: string;
  [element: string]: unknown;
}

export class OdsErrors {
  private readonly payloads = new Map<OdsErrorCode, { issue: Issue[] }>();

  constructor() {
    for (const [code, source] of Object.entries(ODS_ERRORS) as Array<[OdsErrorCode, ErrorSource]>) {
      const outcome = readIgExample(source.file);
      const issues = outcome['issue'];
      const first: unknown = Array.isArray(issues) ? issues[0] : undefined;
      const diagnostics = (first as Partial<Issue> | undefined)?.diagnostics;
      if (outcome['resourceType'] !== 'OperationOutcome' || typeof diagnostics !== 'string') {
        throw new Error(`${source.file} is not an OperationOutcome with diagnostics`);
      }
      if (!diagnostics.includes(source.placeholder)) {
        throw new Error(`${source.file}: diagnostics no longer contain ${source.placeholder}`);
      }
      this.payloads.set(code, { issue: issues as Issue[] });
    }
  }

  /**
   * A fresh copy of the published OperationOutcome, its placeholder replaced by `value`. The IG
   * examples' Simplifier `id` is not served: the API's own OperationOutcomes carry none (ODT
   * specification, 404 example).
   */
  build(
    code: OdsErrorCode,
    value: string,
    /** Further [published, replacement] text pairs, e.g. another resource type's parameter list. */
    more: ReadonlyArray<readonly [string, string]> = [],
  ): { status: number; body: unknown } {
    const source = ODS_ERRORS[code];
    const published = this.payloads.get(code)?.issue ?? [];
    const rewrite = (text: string) =>
      more.reduce((out, [from, to]) => out.replace(from, to), text.replace(source.placeholder, value));
    const issue = published.map((entry) => ({ ...entry, diagnostics: rewrite(entry.diagnostics) }));
    return { status: source.status, body: { resourceType: 'OperationOutcome', issue } };
  }
}
