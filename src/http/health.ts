// GET /health: what an operator (or `alipay-notify-edge check URL`) needs to see whether the
// deployment is configured right. The summary was built without secrets in src/config/summary.ts, so this
// only shapes the response; it logs nothing.

import { formatProblem } from '../config/reader';
import type { ConfigResult } from '../config/types';
import { jsonResponse } from './responses';

export function healthResponse(result: ConfigResult): Response {
  if (!result.ok) {
    const body = { ok: false, problems: result.problems.map(formatProblem) };
    return jsonResponse(503, body);
  }
  return jsonResponse(200, { ok: true, ...result.config.summary });
}
