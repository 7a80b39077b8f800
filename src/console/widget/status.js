/*
 * alipay-notify-edge payment status widget, served by the gateway at /alipay/status.js.
 *
 * One script tag and one element on the buyer's page, no other code:
 *
 *   <span data-alipay-status
 *         data-app-id="2021000000000000" data-out-trade-no="T123"
 *         data-exp="1767225600" data-sig="<hex HMAC-SHA256>"
 *         data-lang="zh"></span>
 *   <script src="https://gateway.example.com/alipay/status.js" async></script>
 *
 * data-sig = lowercase hex HMAC-SHA256(key = STATUS_SECRET, message = app_id + "." +
 * out_trade_no + "." + exp), computed by the merchant's page when it renders (examples/); exp is
 * a Unix time in seconds. Optional: data-lang (zh or en; default: the page's lang, then the
 * browser's), data-gateway (the gateway's base URL; default: where this script came from),
 * data-style="none" (no colours: style [data-alipay-status][data-state=paid] yourself).
 *
 * The element shows "waiting for payment", "paid ✓ 88.88", "closed"... and updates live: a
 * WebSocket to the gateway's /alipay/status pushes every change; if that fails, it asks the
 * same URL every few seconds. A wrong, missing or expired signature shows nothing at all (an
 * expiry is the gateway's to judge, not the buyer's clock); once the gateway refuses the link, the
 * element gets data-link="refused" and fires a bubbling "alipay-status-refused" event. Besides the
 * statuses above: "reviewing", a payment of another amount than registered, held for the shop.
 * The page's CSP must allow the gateway in connect-src, for https: and wss: both.
 */
(function () {
  'use strict';

  var TEXT = {
    zh: {
      waiting: '等待付款…',
      unknown: '等待付款…',
      paid: '已支付 ✓ ¥{amount}',
      'partially-refunded': '已支付 ¥{amount}，部分已退款',
      refunded: '已退款',
      closed: '交易已关闭',
      reviewing: '付款金额待商家核对',
    },
    en: {
      waiting: 'Waiting for payment…',
      unknown: 'Waiting for payment…',
      paid: 'Paid ✓ ¥{amount}',
      'partially-refunded': 'Paid ¥{amount}, partly refunded',
      refunded: 'Refunded',
      closed: 'Payment closed',
      reviewing: 'Payment being checked by the shop',
    },
  };
  var COLOURS = {
    waiting: '#b54708',
    unknown: '#b54708',
    reviewing: '#b54708',
    paid: '#12805c',
    'partially-refunded': '#5b3cc4',
    refunded: '#5b3cc4',
    closed: '#667085',
  };
  // Nothing the buyer waits for changes after these; polling stops (a refund still arrives by
  // WebSocket). Not `closed`: a late notification can still make a closed order paid.
  var SETTLED = { paid: true, 'partially-refunded': true, refunded: true };
  // A WebSocket that neither opens nor fails in this long (a proxy holding it) counts as failed.
  var HANDSHAKE_MS = 10000;
  var POLL_FIRST_MS = 2000;
  var POLL_MAX_MS = 15000;
  var SOCKET_RETRIES = 5; // handshakes in a row that fail: then polling only
  var MAX_RECONNECTS = 30; // per page view

  var script = document.currentScript;
  var scriptOrigin = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;

  function languageOf(element) {
    var wanted = element.getAttribute('data-lang') || document.documentElement.lang || navigator.language || '';
    return /^zh/i.test(wanted) ? 'zh' : 'en';
  }

  function statusUrl(base, link) {
    var url = new URL('/alipay/status', base);
    url.searchParams.set('app_id', link.appId);
    url.searchParams.set('out_trade_no', link.outTradeNo);
    url.searchParams.set('exp', link.exp);
    url.searchParams.set('sig', link.sig);
    return url;
  }

  function render(element, lang, answer) {
    var status = TEXT[lang][answer.status] ? answer.status : 'unknown';
    var text = TEXT[lang][status].replace('{amount}', answer.amount || '');
    element.textContent = text;
    element.setAttribute('data-state', status);
    if (element.getAttribute('data-style') !== 'none') {
      element.style.color = COLOURS[status];
      element.style.fontWeight = status === 'paid' ? '600' : '';
    }
  }

  function watch(element) {
    if (element.getAttribute('data-alipay-status-started') !== null) return;
    element.setAttribute('data-alipay-status-started', '');
    var link = {
      appId: element.getAttribute('data-app-id') || '',
      outTradeNo: element.getAttribute('data-out-trade-no') || '',
      exp: element.getAttribute('data-exp') || '',
      sig: element.getAttribute('data-sig') || '',
    };
    if (!link.appId || !link.outTradeNo || !/^\d{1,12}$/.test(link.exp) || !/^[0-9a-fA-F]{64}$/.test(link.sig)) return;
    // Whether the link has expired is the gateway's to say (a 403): the buyer's clock may be hours off.
    var base;
    try {
      base = new URL(element.getAttribute('data-gateway') || scriptOrigin, window.location.href);
    } catch (error) {
      return;
    }
    var lang = languageOf(element);
    var url = statusUrl(base, link);
    var last = null;
    var finished = false; // refused (403/404: a wrong or expired link): stop asking
    var pollTimer = null;
    var pollDelay = POLL_FIRST_MS;
    var socket = null;
    var socketFailures = 0;
    var reconnects = 0;

    element.setAttribute('role', 'status');
    element.setAttribute('aria-live', 'polite');

    function show(answer) {
      if (!answer || typeof answer.status !== 'string') return;
      last = answer;
      render(element, lang, answer);
      if (SETTLED[answer.status]) stopPolling();
    }

    // The page can listen for the event (and, say, reload itself with a freshly signed link).
    function refuse() {
      if (finished) return;
      finished = true;
      stopPolling();
      if (socket) socket.close();
      element.setAttribute('data-link', 'refused');
      if (typeof CustomEvent === 'function') element.dispatchEvent(new CustomEvent('alipay-status-refused', { bubbles: true }));
    }

    function stopPolling() {
      if (pollTimer !== null) window.clearTimeout(pollTimer);
      pollTimer = null;
    }

    function schedulePoll() {
      if (finished || pollTimer !== null || (last && SETTLED[last.status])) return;
      pollTimer = window.setTimeout(function () {
        pollTimer = null;
        poll();
      }, pollDelay);
      pollDelay = Math.min(POLL_MAX_MS, Math.round(pollDelay * 1.5));
    }

    function poll() {
      if (finished) return;
      fetch(url.href, { cache: 'no-store', credentials: 'omit' })
        .then(function (response) {
          if (response.status === 403 || response.status === 404) return refuse();
          if (!response.ok) return schedulePoll();
          return response.json().then(function (answer) {
            show(answer);
            schedulePoll();
          });
        })
        .catch(function () {
          schedulePoll();
        });
    }

    function connect() {
      if (finished || typeof WebSocket !== 'function') return poll();
      var wsUrl = new URL(url.href);
      wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      var opened = false;
      var ended = false;
      var handshake = null;
      try {
        socket = new WebSocket(wsUrl.href);
      } catch (error) {
        return poll();
      }
      var current = socket;
      // close, error (a page whose CSP blocks ws: fires only error) or a handshake that never ends:
      // whichever comes first, once per socket.
      function lost() {
        if (ended) return;
        ended = true;
        window.clearTimeout(handshake);
        if (socket === current) socket = null;
        try {
          current.close();
        } catch (error) {
          // already closed
        }
        if (finished) return;
        // Refused at the handshake (wrong or expired link) looks the same as a network failure
        // from here: one HTTP request tells them apart (a 403 stops everything).
        poll();
        if (!opened) socketFailures += 1;
        reconnects += 1;
        var settled = last !== null && SETTLED[last.status];
        if (!settled && socketFailures < SOCKET_RETRIES && reconnects < MAX_RECONNECTS) {
          window.setTimeout(connect, Math.min(POLL_MAX_MS, 1000 * Math.pow(2, socketFailures)));
        }
      }
      handshake = window.setTimeout(function () {
        if (!opened) lost();
      }, HANDSHAKE_MS);
      socket.onopen = function () {
        opened = true;
        socketFailures = 0;
        window.clearTimeout(handshake);
        stopPolling();
      };
      socket.onmessage = function (event) {
        try {
          show(JSON.parse(event.data));
        } catch (error) {
          // not a status: ignore it
        }
      };
      socket.onclose = lost;
      socket.onerror = lost;
    }

    connect();
  }

  function start() {
    var elements = document.querySelectorAll('[data-alipay-status]');
    for (var i = 0; i < elements.length; i++) watch(elements[i]);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
