import { GraphQLError } from 'graphql';
import { maskedErrors } from './errors.js';

const { maskError } = maskedErrors(false);
const GENERIC = 'Unexpected error.';

describe('gateway error masking', () => {
  it('passes a coded error with nothing internal on unchanged (so it is not logged as a server error)', () => {
    const error = new GraphQLError('A valid bearer token is required.', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
    expect(maskError(error, GENERIC)).toBe(error);
  });

  it("rebuilds a coded error without a subgraph's stack trace or exception", () => {
    const error = new GraphQLError('Patient not found.', {
      path: ['patient'],
      extensions: { code: 'NOT_FOUND', stacktrace: ['at x (/srv/app.js:1:1)'], exception: { host: 'pds' } },
    });
    const masked = maskError(error, GENERIC) as GraphQLError;
    expect(masked).not.toBe(error);
    expect(masked.toJSON()).toEqual({
      message: 'Patient not found.',
      path: ['patient'],
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it("codes GraphQL's own errors about the request (a missing or malformed variable) as BAD_USER_INPUT", () => {
    const error = new GraphQLError('Variable "$n" of required type "NhsNumber!" was not provided.', {
      extensions: { http: { status: 400 } },
    });
    expect((maskError(error, GENERIC) as GraphQLError).toJSON()).toEqual({
      message: 'Variable "$n" of required type "NhsNumber!" was not provided.',
      extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
    });
  });

  it('masks anything uncoded or internal', () => {
    for (const error of [
      new Error('connect ECONNREFUSED 10.0.0.7:5432'),
      new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
      new GraphQLError('an undocumented code', { extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }),
      new GraphQLError('uncoded, no status'),
      new GraphQLError('a 4xx caused by a thrown error', {
        originalError: new Error('ECONNREFUSED 10.0.0.7'),
        extensions: { http: { status: 400 } },
      }),
      new GraphQLError('a 5xx', { extensions: { http: { status: 503 } } }),
      'a string',
    ]) {
      const masked = maskError(error, GENERIC) as GraphQLError;
      expect(masked.toJSON()).toEqual({ message: GENERIC, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
  });

  it.each([true, false])(
    'turns an unreachable subgraph into SUBGRAPH_UNAVAILABLE with nothing internal (development: %s)',
    (development) => {
      const error = new GraphQLError('connect ECONNREFUSED 127.0.0.1:4105', {
        path: ['patient', 'allergies'],
        extensions: {
          code: 'SUBREQUEST_HTTP_ERROR',
          serviceName: 'careRecord',
          request: { url: 'http://127.0.0.1:4105/graphql', method: 'POST', body: '{"query":"_entities"}' },
        },
      });
      const masked = maskedErrors(development).maskError(error, GENERIC) as GraphQLError;
      expect(masked.toJSON()).toEqual({
        message: expect.not.stringMatching(/ECONNREFUSED|127\.0\.0\.1|4105/) as unknown,
        path: ['patient', 'allergies'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'careRecord' },
      });
    },
  );

  it('drops suggestions from messages in production only', () => {
    const message = 'Value "FEMAL" does not exist in "Gender" enum. Did you mean the enum value "FEMALE"?';
    const coded = () => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
    expect((maskedErrors(true).maskError(coded(), GENERIC) as GraphQLError).message).toBe(message);
    expect((maskedErrors(false).maskError(coded(), GENERIC) as GraphQLError).message).toBe(
      'Value "FEMAL" does not exist in "Gender" enum.',
    );
  });
});
