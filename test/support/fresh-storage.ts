// A setup file of the workerd projects (vitest.config.ts): each test file starts from empty
// Durable Object storage, as in a runtime of its own (the files share one, see fresh-modules.ts):
// no ledger, index row, alarm or dead letter of another file is seen or counted. Emptied when the
// file ends too, before its mocks are restored: an alarm it left would otherwise fire in the next
// file's time, with the network where its mocked origin was.
import { reset } from 'cloudflare:test';
import { afterAll, beforeAll } from 'vitest';

beforeAll(() => reset());
afterAll(() => reset());
