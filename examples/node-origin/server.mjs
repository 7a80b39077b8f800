#!/usr/bin/env node
// Demo origin for alipay-notify-edge: prints one line per request it gets (JSON by default).
//
//   node examples/node-origin/server.mjs          (FORWARD_SECRET from the environment or ./.dev.vars)
//
// Settings (environment): FORWARD_SECRET (whsec_..., several separated by spaces while rotating;
// when unset it is read from ./.dev.vars, which `npm start` generates), PORT (default 8788),
// HOST (default 127.0.0.1: only this machine can reach it; set 0.0.0.0 deliberately),
// LOG_FORMAT (json, the default, or text: one line for a person, as `npm start` prints them).
// With STATUS_SECRET (environment or ./.dev.vars) it also serves a sample "thank you" page with
// the gateway's live payment status widget: GET /thank-you?out_trade_no=... (ALIPAY_APP_ID from
// the environment or ./.dev.vars; GATEWAY_URL, default http://127.0.0.1:8787).
import { readFileSync } from 'node:fs';
import { startOrigin } from './origin.mjs';

function fromDevVars(name, path = '.dev.vars') {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split(/\r?\n/).find((l) => new RegExp(`^\\s*${name}\\s*=`).test(l));
  return line?.replace(new RegExp(`^\\s*${name}\\s*=\\s*`), '').trim().replace(/^(["'])(.*)\1$/, '$2') || undefined;
}
const secretFromDevVars = () => fromDevVars('FORWARD_SECRET');

const secret = process.env.FORWARD_SECRET || secretFromDevVars();
if (!secret) {
  console.error('FORWARD_SECRET is not set (and no FORWARD_SECRET line in ./.dev.vars). Use the same whsec_ value the gateway has.');
  process.exit(2);
}
const port = process.env.PORT === undefined || process.env.PORT === '' ? 8788 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const logFormat = process.env.LOG_FORMAT || 'json';
if (logFormat !== 'json' && logFormat !== 'text') {
  console.error(`LOG_FORMAT must be json or text, got "${logFormat}"`);
  process.exit(2);
}

// The sample "thank you" page with the live status widget (GET /thank-you?out_trade_no=...),
// when the gateway's STATUS_SECRET is known.
const statusSecret = process.env.STATUS_SECRET || fromDevVars('STATUS_SECRET');
const statusPage = statusSecret
  ? {
      secret: statusSecret,
      appId: (process.env.ALIPAY_APP_ID || fromDevVars('ALIPAY_APP_ID') || '').split(',')[0].trim(),
      gatewayUrl: process.env.GATEWAY_URL || 'http://127.0.0.1:8787',
    }
  : null;

let origin;
try {
  origin = await startOrigin({ port, host: process.env.HOST || '127.0.0.1', secret, logFormat, statusPage });
} catch (error) {
  console.error(`origin example could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`origin example listening on ${origin.url} (answers "success" to correctly signed POSTs)`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    origin.close().then(() => process.exit(0));
  });
}
