// Peer for `make bench`: Google's dialogflow-fulfillment library answering the
// Dialogflow ES LookupCustomer webhook from an in-memory record, with the same answer
// shape Switchboard gives (name, company, plan and status; open tickets; last payment),
// and the same "switchboard" output context.
//
// With PEER_TOKEN_KEY set (the fair peer) it also does the rest of Switchboard's work
// on a signed lookup: it verifies the caller's HS256 identity token
// (originalDetectIntentRequest.payload.identity_token) with the jsonwebtoken package,
// as Switchboard's check does (HS256 only, exp and iat required, iat not in the future,
// 60 s leeway, the email from "email" else an email-shaped "sub"), answers only the
// token's own email, and sends Switchboard's whole reply: fulfillmentText (the messages
// joined), the messages, the "switchboard" payload (outcome, fallback) and the context.
// Without it, the reply is what the library builds from the messages and the context,
// and no token is read (the row kept for comparison with earlier runs).
//
// Usage: node dialogflow-fulfillment.js   (env PEER_RECORDS: JSON object keyed by
// email, as written by tests/loadbench; PEER_TOKEN_KEY: the HS256 key; PORT: 0 for any
// free port on 127.0.0.1). Prints "listening <port>" on stdout once it accepts
// connections.
'use strict';

const http = require('http');
const { WebhookClient, Payload } = require('dialogflow-fulfillment');

const records = JSON.parse(process.env.PEER_RECORDS || '{}');
const jwt = process.env.PEER_TOKEN_KEY ? require('jsonwebtoken') : null;
// The key as a KeyObject made once, as Switchboard parses its key once: given a string,
// jsonwebtoken.verify first tries it as a PEM public key and catches the failure, on
// every call (about 0.45 ms of the 0.46 ms a verification then costs here).
const tokenKey = jwt ? require('crypto').createSecretKey(Buffer.from(process.env.PEER_TOKEN_KEY, 'utf8')) : null;
const leeway = 60; // seconds, Switchboard's identity.token.leeway default
const refusal = "I can only share account details with the account holder, after they've proved who they are. " +
  'If this is your account, sign in on our website and ask me again, or email support@example.com.';

// callerEmail returns the verified email of the turn's identity token, or '' when there
// is no token or it does not verify.
function callerEmail(agent) {
  const odir = agent.request_.body.originalDetectIntentRequest || {};
  const raw = odir.payload && odir.payload.identity_token;
  if (typeof raw !== 'string' || raw === '') return '';
  let claims;
  try {
    claims = jwt.verify(raw, tokenKey, { algorithms: ['HS256'], clockTolerance: leeway });
  } catch (e) {
    return '';
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.iat > now + leeway) return '';
  let email = typeof claims.email === 'string' ? claims.email : '';
  if (email === '' && typeof claims.sub === 'string' && claims.sub.includes('@')) email = claims.sub;
  return email.trim().toLowerCase();
}

// Stripe's zero-decimal currencies, as Switchboard formats them.
const zeroDecimal = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg',
  'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

function money(minor, currency) {
  const cur = currency.toUpperCase();
  if (zeroDecimal.has(currency.toLowerCase())) return `${minor} ${cur}`;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${cur}`;
}

function day(iso) {
  if (!iso) return 'an unknown date';
  const d = new Date(iso);
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function lookupCustomer(agent) {
  const email = String(agent.parameters.email || '').trim().toLowerCase();
  if (jwt) {
    const texts = [];
    const say = (t) => { texts.push(t); agent.add(t); };
    if (callerEmail(agent) !== email) say(refusal);
    else answer(email, say);
    // Switchboard's whole reply: the joined text beside the messages, and its payload.
    agent.client.addJson_({ fulfillmentText: texts.join(' ') });
    agent.add(new Payload(agent.requestSource, { switchboard: { outcome: 'fulfilled', fallback: false } },
      { rawPayload: true, sendAsMessage: false }));
    agent.context.set({ name: 'switchboard', lifespan: 5, parameters: { email } });
    return;
  }
  answer(email, (t) => agent.add(t));
  agent.context.set({ name: 'switchboard', lifespan: 5, parameters: { email } });
}

function answer(email, add) {
  const rec = records[email];
  if (!rec) {
    add(`I couldn't find an account with the email ${email}. ` +
      'If you signed up with another address, tell me that one instead.');
    return;
  }
  let first = `I found ${rec.name || email}`;
  if (rec.company) first += ` (${rec.company})`;
  if (rec.plan && rec.status) first += `: ${rec.plan} plan, account ${rec.status}.`;
  else if (rec.plan) first += `: ${rec.plan} plan.`;
  else if (rec.status) first += `: account ${rec.status}.`;
  else first += '.';
  add(first);
  const t = rec.tickets || [];
  if (t.length === 0) add('There are no open tickets.');
  else if (t.length === 1) add(`There is 1 open ticket: #${t[0].id} ${JSON.stringify(t[0].subject)}.`);
  else add(`There are ${t.length} open tickets; the newest is #${t[0].id} ${JSON.stringify(t[0].subject)}.`);
  if (rec.payment) {
    const p = rec.payment;
    add(`The last payment, ${money(p.amount, p.currency)} on ${day(p.created_at)}, is ${p.status || 'of unknown status'}.`);
  }
}

const intentMap = new Map([['LookupCustomer', lookupCustomer]]);

// The library expects Express's request and response; this is the part of them it uses.
function expressLike(req, res, body) {
  const request = { body, headers: req.headers, get: (h) => req.headers[h.toLowerCase()] };
  const response = {
    statusCode: 200,
    status(code) { if (typeof code === 'number') this.statusCode = code; return this; },
    json(obj) { this.send(JSON.stringify(obj), 'application/json'); },
    send(text, type) {
      res.writeHead(this.statusCode, { 'Content-Type': type || 'text/plain' });
      res.end(text);
    },
  };
  return { request, response };
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') { res.writeHead(405); res.end(); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'body is not JSON' }));
      return;
    }
    const { request, response } = expressLike(req, res, body);
    try {
      const agent = new WebhookClient({ request, response });
      agent.handleRequest(intentMap).catch((err) => {
        if (!res.headersSent) { res.writeHead(500); res.end(String(err)); }
      });
    } catch (err) {
      res.writeHead(500); res.end(String(err));
    }
  });
});
server.keepAliveTimeout = 120000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
