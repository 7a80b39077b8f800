// What the conversation produces and shares: its context, the Plan (what to write), and the stop
// that ends init before anything is written.

import type { ProbeOutcome } from './init-probe';
import type { PromptIo } from './init-prompt';
import type { RoutePlan } from './init-route';
import type { Receiver } from './init-snippets';
import type { CurrentState } from './init-state';
import type { Translator } from './init-i18n';

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface AskContext {
  t: Translator;
  /** null under --yes: nothing is asked. */
  io: PromptIo | null;
  flags: FlagValues;
  state: CurrentState;
  /** Secrets may be printed (a terminal, or --show-secret). */
  showSecrets: boolean;
  /** Probe the receiving page (not --no-probe). */
  probe: boolean;
  devVars: boolean;
  out: (text: string) => void;
  /** For tests: the probe's fetch. */
  fetchImpl?: typeof fetch;
}

export type RouteDecision = { kind: 'keep' } | { kind: 'none' } | { kind: 'set'; plan: RoutePlan; notifyUrl: string };

export interface Plan {
  /** New values, by setting name. */
  set: Map<string, string>;
  /** Vars to remove from wrangler.toml (an optional setting answered empty). */
  unset: Set<string>;
  /** Secrets init made up; shown once at the end when allowed. */
  generated: string[];
  route: RouteDecision;
  receiver: Receiver | null;
  /** The receiving page's test: its outcome, or why there was none. */
  probe: ProbeOutcome | 'skipped' | 'not-run';
}

/** A problem that ends init before anything is written: exit status 2 (1 for a failed probe). */
export class InitStop extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

export function emptyPlan(): Plan {
  return { set: new Map(), unset: new Set(), generated: [], route: { kind: 'keep' }, receiver: null, probe: 'not-run' };
}

/** What the gateway will run with, as far as init can see: current values overlaid with the plan. */
export function knownAfter(state: CurrentState, plan: Plan): Record<string, string> {
  const known: Record<string, string> = { ...state.known };
  for (const name of plan.unset) delete known[name];
  for (const [name, value] of plan.set) known[name] = value;
  return known;
}
