#!/usr/bin/env node
// Demo origin for alipay-notify-edge: prints one line per request it gets (JSON by default).
//
//   node examples/node-origin/server.mjs          (FORWARD_SECRET from the environment or ./.dev.vars)
//
// Settings (environment): FORWARD_SECRET (whsec_..., several separated by spaces while rotating;
// when unset it is read from ./.dev.vars, which `npm start` generates), PORT (default 8788),
// HOST (default 127.0.0.1: only this machine can reach it; set 0.0.0.0 deliberately),
// LOG_FORMAT (json, the default, or text: one line for a person, as `npm start` prints them).
import { readFileSync } from 'node:fs';
import { startOrigin } from './origin.mjs';

function secretFromDevVars(path = '.dev.vars') {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split(/\r?\n/).find((l) => /^\s*FORWARD_SECRET\s*=/.test(l));
  return line?.replace(/^\s*FORWARD_SECRET\s*=\s*/, '').trim().replace(/^(["'])(.*)\1$/, '$2') || undefined;
}

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

let origin;
try {
  origin = await startOrigin({ port, host: process.env.HOST || '127.0.0.1', secret, logFormat });
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
