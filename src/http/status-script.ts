// GET /alipay/status.js: the drop-in payment status widget for the buyer's page
// (src/console/widget/status.js). A static script that holds no secret and no data, so it is
// served to anyone; it shows something only for a status link the merchant's page signed.
import { STATUS_WIDGET } from '../console/assets';
import { assetResponse, methodNotAllowed } from './responses';

export const STATUS_SCRIPT_PATH = '/alipay/status.js';

export async function handleStatusScript(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
  // Legacy pages load it from another origin with a plain <script> tag; `crossorigin` pages get CORS too.
  return assetResponse(request, STATUS_WIDGET.body, STATUS_WIDGET.contentType, await STATUS_WIDGET.etag(), {
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
  });
}
