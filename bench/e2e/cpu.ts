// CPU time of a whole process group (wrangler dev: its Node CLI and the workerd processes it
// spawned), read from /proc. On a shared machine a slot's request rate moves with other people's
// load; the CPU a request costs the gateway's processes moves much less, so bench:e2e reports both.
// workerd is reported apart: wrangler's own Node process (log printing, the dev proxy's
// bookkeeping) is local-development cost that a deployed Worker does not have.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

export interface GroupCpu {
  /** User + system CPU milliseconds of every live process in the group. */
  readonly allMs: number;
  /** The same for the workerd processes only. */
  readonly workerdMs: number;
}

/** CPU used so far by the live processes of group `pgid`; null where /proc cannot be read (not Linux). */
export function groupCpu(pgid: number): GroupCpu | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let all = 0;
  let workerd = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after its last ')'.
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    all += ticks;
    if (command === 'workerd') workerd += ticks;
  }
  return { allMs: (all * 1000) / TICKS_PER_SECOND, workerdMs: (workerd * 1000) / TICKS_PER_SECOND };
}
