// The gateway's own addresses and operator access: where Alipay posts, the return page, the admin API.

import { parseNotifyPath } from './parsers';
import type { SettingsReader } from './reader';
import { RETURN_PATH } from './names';
import type { BrokenConfigRoutes } from './types';
import { parseOriginUrl } from './values';

const MIN_ADMIN_TOKEN_CHARS = 16;

export interface RouteSection {
  notifyPath: string;
  returnUrl: URL | null;
  adminToken: string | null;
}

/** The route settings (null when one has a problem), and the best reading of them for a broken config. */
export function readRouteSettings(settings: SettingsReader): { section: RouteSection | null; routes: BrokenConfigRoutes } {
  const { problem } = settings;
  const before = settings.problems.length;

  const notifyPathText = settings.withDefault('NOTIFY_PATH');
  const notifyPath = parseNotifyPath(notifyPathText, (m) => problem('NOTIFY_PATH', m));

  let adminToken: string | null = null;
  const adminTokenText = settings.text('ADMIN_TOKEN');
  if (adminTokenText !== undefined) {
    if (adminTokenText.trim().length < MIN_ADMIN_TOKEN_CHARS) {
      problem('ADMIN_TOKEN', `too short: use at least ${MIN_ADMIN_TOKEN_CHARS} random characters (or unset it to disable the admin API)`);
    } else {
      adminToken = adminTokenText.trim();
    }
  }

  let returnUrl: URL | null = null;
  const returnUrlText = settings.text('ORIGIN_RETURN_URL');
  if (returnUrlText !== undefined) {
    const parsed = parseOriginUrl(returnUrlText);
    if (parsed.ok) returnUrl = parsed.value;
    else problem('ORIGIN_RETURN_URL', parsed.message);
    if (notifyPath === RETURN_PATH) problem('NOTIFY_PATH', `${RETURN_PATH} is taken by the return page while ORIGIN_RETURN_URL is set; choose another path`);
  }

  const routes = { notifyPath: notifyPathText.trim(), returnPage: returnUrlText !== undefined };
  if (settings.problems.length > before || notifyPath === null) return { section: null, routes };
  return { section: { notifyPath, returnUrl, adminToken }, routes };
}
