// A fresh RSA key pair per test run, for tests that need "some valid Alipay public key" without
// a fixture: nothing generated here is ever trusted outside the test that made it.

export interface ThrowawayRsaKeys {
  readonly pair: CryptoKeyPair;
  /** The public key as DER SPKI: base64 of this is what goes into ALIPAY_PUBLIC_KEY. */
  readonly spki: Uint8Array<ArrayBuffer>;
}

/** Pure WebCrypto, so it runs in workerd and in Node. Extractable, so a signer can re-import it. */
export async function throwawayRsaKeys(modulusLength = 2048): Promise<ThrowawayRsaKeys> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
  return { pair, spki };
}
