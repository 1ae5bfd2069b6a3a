// Raw HTTP to a subgraph, as an attacker holding a captured internal token would send it (fetch
// cannot put a body on a GET). Answers the status, the first error's code and any data.
import { request as httpRequest } from 'node:http';

export interface SubgraphAnswer {
  status: number;
  code: unknown;
  data: unknown;
}

export function sendToSubgraph(
  url: string,
  method: string,
  token: string,
  body: string,
  contentType = 'application/json',
): Promise<SubgraphAnswer> {
  const target = new URL(url);
  return new Promise<SubgraphAnswer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: `${target.pathname}${target.search}`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const json = JSON.parse(text) as {
            data?: unknown;
            errors?: Array<{ extensions?: { code?: unknown } }>;
          };
          resolve({ status: res.statusCode ?? 0, code: json.errors?.[0]?.extensions?.code, data: json.data });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
