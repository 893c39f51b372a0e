// Peer for `make bench`: Powertools for AWS Lambda (TypeScript) idempotency with its
// DynamoDB persistence layer, wrapping a create-ticket function that answers the
// Dialogflow ES CreateTicket webhook. Keyed like Switchboard (the request's responseId,
// the platform's turn id) with the slot values validated, so a redelivered turn gets
// the stored reply and a reused id with other slots is refused.
//
// Usage: node powertools-idempotency.js   (env DYNAMODB_ENDPOINT, TABLE, PORT: 0 for
// any free port on 127.0.0.1; AWS_* credentials and region from the environment).
// Prints "listening <port>" on stdout once it accepts connections.
'use strict';

const http = require('http');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { makeIdempotent, IdempotencyConfig } = require('@aws-lambda-powertools/idempotency');
const { DynamoDBPersistenceLayer } = require('@aws-lambda-powertools/idempotency/dynamodb');

const client = new DynamoDBClient({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  region: process.env.AWS_REGION || 'us-east-1',
});
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.TABLE || 'powertools-idempotency',
  awsSdkV3Client: client,
});
const config = new IdempotencyConfig({
  eventKeyJmesPath: 'responseId',
  payloadValidationJmesPath: 'queryResult.parameters',
  expiresAfterSeconds: 3600,
  throwOnNoIdempotencyKey: true,
  // PEER_LOCAL_CACHE=1: Powertools' in-memory cache of completed records (off by
  // default; its default size, 1000), the counterpart of Switchboard's store.idempotency_local_cache.
  useLocalCache: process.env.PEER_LOCAL_CACHE === '1',
});

// The helpdesk: tickets in memory, numbered like the demo backend's.
const tickets = [];

const createTicket = makeIdempotent(async (event) => {
  const p = (event.queryResult && event.queryResult.parameters) || {};
  let email = p.email;
  for (const c of event.queryResult.outputContexts || []) {
    if (!email && c.parameters && c.parameters.email) email = c.parameters.email;
  }
  const t = {
    id: String(1000 + tickets.length + 1),
    requester: email,
    subject: p.subject,
    description: p.description || p.subject,
    priority: p.priority || 'normal',
  };
  tickets.push(t);
  return {
    fulfillmentText: `I've opened ticket #${t.id} "${t.subject}" with ${t.priority} priority. ` +
      `We'll reply to ${t.requester}.`,
  };
}, { persistenceStore, config });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let event;
    try { event = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'body is not JSON' }));
      return;
    }
    try {
      const out = await createTicket(event);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(out));
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: err.name + ': ' + err.message }));
    }
  });
});
server.keepAliveTimeout = 120000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
