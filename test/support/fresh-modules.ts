// The first setup file of every unit project (vitest.config.ts). The files of a project share a
// runtime (isolate: false: one process or one workerd per vitest worker, started once), so each
// file starts here as in a runtime of its own: its modules are evaluated again (no cache, counter
// or held-deliveries view left by another file), and what it spied on or stubbed is given back
// when it ends.
import { afterAll, vi } from 'vitest';

vi.resetModules();
afterAll(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});
