import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that holds a lease: its host, its pid and a token of when it started (so a pid
 * the system has since given to another process is not taken for the holder).
 */
export interface LeaseHolder {
  host: string;
  pid: number;
  /** `linux:<boot id>:<start ticks>` where /proc tells, else `ms:<start time>`. */
  started: string;
}

/** What `/proc/<pid>/stat` and the boot id say of a process's start, or undefined off Linux. */
function linuxStartToken(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22, starttime
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return ticks === undefined ? undefined : `linux:${boot}:${ticks}`;
  } catch {
    return undefined;
  }
}

let self: LeaseHolder | undefined;

/** This process as a lease holder. */
export function currentHolder(): LeaseHolder {
  self ??= {
    host: hostname(),
    pid: process.pid,
    started: linuxStartToken('self') ?? `ms:${Math.round(Date.now() - process.uptime() * 1000)}`,
  };
  return self;
}

/**
 * Whether the holder, a process of this host, still runs: its pid exists and, where the
 * system tells, it is the same process (started at the same time) and not a later one that
 * was given the same pid.
 */
export function isHolderAlive(holder: LeaseHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!holder.started.startsWith('linux:')) return true;
  const now = linuxStartToken(holder.pid);
  return now === undefined || now === holder.started;
}
