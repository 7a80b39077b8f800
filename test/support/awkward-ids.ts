// Order ids that a URL parser, a router or a naive encoder could change or drop: every order the
// gateway acknowledges with one of these must still be reachable through the admin API.
import { MAX_OUT_TRADE_NO_CHARS } from '../../src/orders/order-key';

export const AWKWARD_IDS: readonly string[] = [
  '.', '..', '...', '~', '~..', '~~x', '', ' ', 'a b', 'a+b', 'a/b', '/', '//', 'a\\b', '%2E%2E', '%2e', '.%2E', '%2F', 'a%2Fb', '%',
  '%zz', '?x=1', '#frag', 'a#notify:b', 'a:b', '测试订单', '🦊', 'T'.repeat(MAX_OUT_TRADE_NO_CHARS),
];
