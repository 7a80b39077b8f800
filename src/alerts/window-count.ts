// How many times something happened in the last window (e.g. signature failures in the last 10
// minutes, for the rejection-spike alert): a ring of per-slot counts, so the state stays a few
// numbers whatever the rate, and a Durable Object can keep it as JSON. Pure.

export interface WindowCount {
  /** Start of the newest slot, epoch ms (a multiple of slotMs). */
  readonly slotStart: number;
  /** Counts per slot, newest first; length = slots in the window. */
  readonly counts: readonly number[];
}

export interface WindowShape {
  readonly windowMs: number;
  /** The window is counted in this many slots (its resolution). */
  readonly slots: number;
}

export const REJECTION_SPIKE: WindowShape & { readonly threshold: number } = { windowMs: 10 * 60_000, slots: 10, threshold: 20 };

export function emptyWindow(shape: WindowShape): WindowCount {
  return { slotStart: 0, counts: new Array<number>(shape.slots).fill(0) };
}

/** The counts moved on to `now`: slots that fell out of the window are dropped. */
export function advance(state: WindowCount, now: number, shape: WindowShape): WindowCount {
  const slotMs = shape.windowMs / shape.slots;
  const slotStart = Math.floor(now / slotMs) * slotMs;
  if (slotStart <= state.slotStart) return state;
  const shift = Math.min(shape.slots, Math.round((slotStart - state.slotStart) / slotMs));
  const counts = [...new Array<number>(shift).fill(0), ...state.counts].slice(0, shape.slots);
  return { slotStart, counts };
}

/** One occurrence at `now`: the new state, the count over the window, and whether this one reached `threshold`. */
export function countOne(state: WindowCount, now: number, shape: WindowShape, threshold: number): { state: WindowCount; count: number; reached: boolean } {
  return countSome(state, now, shape, threshold, 1);
}

/**
 * `n` occurrences at `now` (a batch counted elsewhere): `reached` when they carry the count from
 * below `threshold` to it or past it, so a batch that crosses it reports it once, like countOne.
 */
export function countSome(
  state: WindowCount,
  now: number,
  shape: WindowShape,
  threshold: number,
  n: number,
): { state: WindowCount; count: number; reached: boolean } {
  const moved = advance(state, now, shape);
  const before = moved.counts.reduce((a, b) => a + b, 0);
  const add = Math.max(0, Math.floor(n));
  const counts = [moved.counts[0]! + add, ...moved.counts.slice(1)];
  const count = before + add;
  return { state: { slotStart: moved.slotStart, counts }, count, reached: before < threshold && count >= threshold };
}

/** The count over the window ending at `now`. */
export function countNow(state: WindowCount, now: number, shape: WindowShape): number {
  return advance(state, now, shape).counts.reduce((a, b) => a + b, 0);
}
