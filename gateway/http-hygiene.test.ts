// The pure parts of the HTTP checks (over HTTP: test/edge.e2e).
import { CSRF_HEADERS, corsOptions, isAllowedOrigin, needsCsrfHeader } from './http-hygiene.js';

describe('isAllowedOrigin', () => {
  const configured = { origins: ['https://app.example.nhs.uk'], localhost: false };
  const development = { origins: [], localhost: true };

  it.each([
    [configured, 'https://app.example.nhs.uk', true],
    [configured, 'https://app.example.nhs.uk.evil.example', false],
    [configured, 'http://app.example.nhs.uk', false],
    [configured, 'http://localhost:3000', false],
    [development, 'http://localhost:3000', true],
    [development, 'http://127.0.0.1:5173', true],
    [development, 'http://localhost.evil.example', false],
    [development, 'null', false],
    [{ origins: [], localhost: false }, 'https://anything.example', false],
  ])('%j allows %s: %s', (cors, origin, allowed) => {
    expect(isAllowedOrigin(origin, cors)).toBe(allowed);
  });

  it('reflects an allowed origin without credentials, and answers nothing to others', () => {
    const factory = corsOptions({ origins: ['https://app.example.nhs.uk'], localhost: false }) as (
      request: Request,
    ) => unknown;
    const from = (origin: string) => new Request('http://gateway/graphql', { headers: { origin } });
    expect(factory(from('https://app.example.nhs.uk'))).toMatchObject({
      origin: ['https://app.example.nhs.uk'],
      credentials: false,
    });
    expect(factory(from('https://evil.example'))).toBe(false);
  });
});

describe('needsCsrfHeader', () => {
  const none = new Headers();
  it.each([
    ['GET', null, true],
    ['POST', 'text/plain', true],
    ['POST', 'application/x-www-form-urlencoded', true],
    ['POST', 'multipart/form-data; boundary=x', true],
    ['POST', null, true],
    ['POST', 'application/json', false],
    ['POST', 'application/graphql-response+json', false],
  ])('%s with %s: %s', (method, contentType, needed) => {
    expect(needsCsrfHeader(method, contentType, none)).toBe(needed);
  });

  it.each(CSRF_HEADERS)('is satisfied by %s', (name) => {
    expect(needsCsrfHeader('GET', null, new Headers({ [name]: '1' }))).toBe(false);
  });
});
