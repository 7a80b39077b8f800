// What `simulate` takes from the local trial `npm start` set up: the development signing key and
// the ids, admin token, stand-in address, STATUS_SECRET, MD5 key and FORWARD_EVENTS of its
// .dev.vars, found in the current directory or in the project this tool belongs to.

import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_APP_ID, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE, DEV_SELLER_ID, DEV_VARS_FILE, readDevVars } from './dev-config';
import { LOOPBACK_HOSTS, splitList } from '../src/config/values';

// The package root: where `npm start` writes .dev.vars and dev-keys/ when run from a clone.
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface DevDefaults {
  privateKeyFile: string | null;
  /** The public half, for the `verify` command simulate suggests. */
  publicKeyFile: string | null;
  appId: string;
  sellerId: string;
  /** ADMIN_TOKEN from the same .dev.vars: printed only in the admin command for a local gateway. */
  adminToken: string | null;
  /** The stand-in's address: ALIPAY_GATEWAY_URL's origin when it points at this machine. */
  standInUrl: string | null;
  /** STATUS_SECRET from the same .dev.vars: --lost registers the order with a local gateway with it. */
  statusSecret: string | null;
  /** ALIPAY_MD5_KEY from the same .dev.vars: signs MD5 for a gateway on this machine only. */
  md5Key: string | null;
  /** FORWARD_EVENTS from the same .dev.vars: what a local gateway forwards, when its /health does not say. */
  forwardEvents: string | null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The development key and ids `npm start` generated: in the current directory when it has them,
 * else in the project this tool belongs to. Both come from the same directory so they match.
 */
export async function devDefaults(): Promise<DevDefaults> {
  let dir = PROJECT_ROOT;
  for (const candidate of [process.cwd(), PROJECT_ROOT]) {
    if ((await exists(join(candidate, DEV_VARS_FILE))) || (await exists(join(candidate, DEV_PRIVATE_KEY_FILE)))) {
      dir = candidate;
      break;
    }
  }
  const vars = (await readDevVars(dir)) ?? {};
  const keyFile = join(dir, DEV_PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, DEV_PUBLIC_KEY_FILE);
  return {
    privateKeyFile: (await exists(keyFile)) ? keyFile : null,
    publicKeyFile: (await exists(publicKeyFile)) ? publicKeyFile : null,
    appId: firstId(vars.ALIPAY_APP_ID) ?? DEV_APP_ID,
    sellerId: firstId(vars.ALIPAY_SELLER_ID) ?? DEV_SELLER_ID,
    adminToken: vars.ADMIN_TOKEN || null,
    standInUrl: localOrigin(vars.ALIPAY_GATEWAY_URL),
    statusSecret: vars.STATUS_SECRET || null,
    md5Key: vars.ALIPAY_MD5_KEY || null,
    forwardEvents: vars.FORWARD_EVENTS || null,
  };
}

export function localOrigin(url: string | undefined): string | null {
  try {
    const parsed = new URL(url ?? '');
    return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname) ? parsed.origin : null;
  } catch {
    return null;
  }
}

function firstId(list: string | undefined): string | undefined {
  const id = list === undefined ? undefined : splitList(list)[0];
  return id !== undefined && isAlipayId(id) ? id : undefined;
}

/** app_id and seller_id: digits only, the same rule the gateway applies to its settings. */
export function isAlipayId(s: string): boolean {
  return /^\d{1,32}$/.test(s);
}
