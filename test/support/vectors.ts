// The signed-notification vectors in test/fixtures/vectors (its README.md explains the fields and
// where each case comes from), loaded once for both test projects: Vite inlines the JSON at build time, so this works
// inside workerd (no file system) and in Node alike.
import type { SignType } from '../../src/alipay/types';
import { utf8 } from './encoding';
import { formBodyOf } from './form';

export interface SignedVector {
  id: string;
  kind: string;
  sign_type: SignType;
  charset: string;
  content_rule: string;
  /** The wire form (ASCII, percent-encoded), when one was captured... */
  raw_body?: string;
  /** ...otherwise the decoded values, to be sent as UTF-8 form data. */
  params?: Record<string, string>;
  alipay_public_key?: string;
  alipay_public_cert_pem?: string;
  md5_key?: string;
  /** The private half of alipay_public_key, for a synthetic vector only: tests re-sign its body with fresh ids. */
  test_private_key_pem?: string;
  expected_valid: boolean;
  expected_sign_content?: string;
  expected_md5_input?: string;
}

const files = import.meta.glob('../fixtures/vectors/*.json', { eager: true, import: 'default' }) as Record<string, { kind: string }>;

/** Every vector that is a signed message, by id (certsn_node_antcertutil.json holds certificates: alipay-cert.test.ts covers it). */
export const signedVectors: readonly SignedVector[] = Object.values(files)
  .filter((v) => v.kind !== 'cert_sn')
  .map((v) => v as SignedVector)
  .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export function signedVector(id: string): SignedVector {
  const vector = signedVectors.find((v) => v.id === id);
  if (vector === undefined) throw new Error(`no vector ${id} in test/fixtures/vectors`);
  return vector;
}

/** The body to send: raw_body as captured (ASCII), or the params as a UTF-8 form (test/support/form.ts). */
export function vectorBody(v: SignedVector): Uint8Array {
  return v.raw_body !== undefined ? utf8(v.raw_body) : formBodyOf(v.params!);
}
