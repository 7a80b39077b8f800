// Plays Alipay for the end-to-end suite and bench/e2e.ts. The notifications and their signing
// (TEST-ONLY fixture key, RSA2, v1 content rule) are shared with the gateway tests: see
// test/support/notifications.ts.
export { TEST_APP_ID } from '../fixtures/gateway-test-keys';
export { paidNotification, signedNotification, tradeParams, uniqueId } from '../support/notifications';
