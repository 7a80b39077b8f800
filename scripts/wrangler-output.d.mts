// Types for wrangler-output.mjs.

export interface WranglerOutputFilter {
  /** The lines to print for one line of wrangler's output: none, the line itself, or a summary. */
  push(line: string): string[];
}

export function createWranglerOutputFilter(): WranglerOutputFilter;
