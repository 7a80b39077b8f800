// Local one-click sign-in for `npm start`: its banner prints /admin/session#token=<ADMIN_TOKEN>.
// A fragment never leaves the browser (no request line, no server log), and this script submits it
// through the ordinary sign-in form, then removes it from the address bar. Only on a loopback
// address: a deployed gateway never signs anyone in from a link.
(() => {
  const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];
  const match = /^#token=([^&]+)$/.exec(window.location.hash);
  if (match === null) return;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (!LOOPBACK.includes(window.location.hostname)) return;
  const form = document.getElementById('sign-in');
  const input = document.getElementById('token');
  if (!form || !input) return;
  input.value = decodeURIComponent(match[1]);
  form.submit();
})();
