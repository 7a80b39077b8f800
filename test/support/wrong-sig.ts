// A signed link or form with its `sig` made wrong. The first hex digit is changed to another one,
// so the result always differs from the real signature (writing a fixed '00' over it left it
// unchanged once in 256 runs, and a test expecting 403 got 200).

/** `text` (a query string or form) with the first hex digit of its `sig=` value changed. */
export function withWrongSig(text: string): string {
  if (!/sig=[0-9a-f]/.test(text)) throw new Error('no sig= with a hex value to change');
  return text.replace(/sig=([0-9a-f])/, (_, first: string) => `sig=${first === '0' ? '1' : '0'}`);
}
