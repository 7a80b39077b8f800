// A setup file of the workerd projects, before fresh-modules.ts (vitest.config.ts). The pinned
// pool (@cloudflare/vitest-pool-workers 0.15.1) wraps the module runner's fetch in one more
// runInRunnerObject layer for every test file a runtime runs, so with files sharing a runtime
// each file's imports got slower than the last (fixed upstream: cloudflare/workers-sdk#16135,
// "patches each module runner once"). Until the pin moves, every file after the first gets the
// first file's wrapper back: one layer, as the pool means it. The runner is vitest's own
// (`__vitest_mocker__`); when that shape is not there, nothing is changed.

const FIRST_WRAPPER = Symbol.for('alipay-notify-edge.pool-module-fetch');

interface Transport {
  invoke: (...args: unknown[]) => unknown;
}
const scope = globalThis as { __vitest_mocker__?: { moduleRunner?: { transport?: Transport } }; [FIRST_WRAPPER]?: Transport['invoke'] };
const transport = scope.__vitest_mocker__?.moduleRunner?.transport;
if (transport && typeof transport.invoke === 'function') {
  if (scope[FIRST_WRAPPER]) transport.invoke = scope[FIRST_WRAPPER];
  else scope[FIRST_WRAPPER] = transport.invoke;
}
