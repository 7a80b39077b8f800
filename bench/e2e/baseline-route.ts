// Where the bench-only Worker (bench/e2e/worker.ts) answers the baseline: a leaf module, so the
// load generator in Node can import it without the Worker's `cloudflare:workers` imports.
// Not under the notify path or /admin, so it cannot shadow a gateway route.
export const BASELINE_PATH = '/__bench/baseline';
