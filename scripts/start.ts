// `npm start`: the whole stack on this machine with embedded defaults (sandbox upstreams,
// every subgraph, the gateway). Point at real upstreams with PDS_BASE_URL etc. (README).
import { startStack } from './stack.js';

const stack = await startStack({ stdio: 'inherit', env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' } });
console.log(`
nhs-graph is running.
  GraphQL endpoint:  ${stack.gatewayUrl}   (GraphiQL in a browser, POST for clients)
  Sandbox upstreams: ${stack.sandboxUrl}

Try (every query needs a token from the local issuers; profiles in the README):
  TOKEN=$(npm run --silent token -- clerk)
  curl -s ${stack.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '{"query":"{ patient(nhsNumber: \\"9000000009\\") { nhsNumber name { text } birthDate registeredGp { odsCode } } }"}'

Ctrl+C stops everything.`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
