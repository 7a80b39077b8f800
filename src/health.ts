// GET /health: what an operator (or `alipay-notify-edge check URL`) needs to see whether the
// deployment is configured right. The summary was built without secrets in config.ts, so this
// only shapes the response; it logs nothing.

import { formatProblem, type ConfigResult } from './config';

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // A stale "ok" from a cache would hide a broken deploy.
  'cache-control': 'no-store',
};

export function healthResponse(result: ConfigResult): Response {
  if (!result.ok) {
    const body = { ok: false, problems: result.problems.map(formatProblem) };
    return new Response(JSON.stringify(body, null, 2), { status: 503, headers: HEADERS });
  }
  return new Response(JSON.stringify({ ok: true, ...result.config.summary }, null, 2), { status: 200, headers: HEADERS });
}
