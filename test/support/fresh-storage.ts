// A setup file of the workerd projects (vitest.config.ts): each test file starts from empty
// Durable Object storage, as in a runtime of its own (the files share one, see fresh-modules.ts):
// no ledger, index row, alarm or dead letter of another file is seen or counted.
import { reset } from 'cloudflare:test';
import { beforeAll } from 'vitest';

beforeAll(() => reset());
