import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that holds a lease: its host, its pid and a token of when and where it started
 * (so a pid the system has since given to another process, or the same pid in another
 * container's pid namespace, is not taken for the holder).
 */
export interface LeaseHolder {
  host: string;
  pid: number;
  /** `linux:<boot id>:<pid namespace>:<start ticks>` where /proc tells, else `ms:<start time>`. */
  started: string;
}

interface LinuxProcess {
  /** `linux:<boot id>:<pid namespace>`: who can see whom. */
  realm: string;
  ticks: string;
  /** Exited, waiting for its parent to reap it. */
  zombie: boolean;
}

/** What /proc says of a process, or undefined off Linux (or when it is gone). */
function linuxProcess(pid: number | 'self'): LinuxProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    // our own namespace: a pid we read in /proc is in it too
    const namespace = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
    const ticks = fields[19]; // field 22, starttime
    if (ticks === undefined) return undefined;
    return { realm: `linux:${boot}:${namespace}`, ticks, zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

let self: LeaseHolder | undefined;

/** This process as a lease holder. */
export function currentHolder(): LeaseHolder {
  self ??= localHolder(process.pid) ?? {
    host: hostname(),
    pid: process.pid,
    started: `ms:${Math.round(Date.now() - process.uptime() * 1000)}`,
  };
  return self;
}

/** A process of this host as a lease holder, where /proc tells (Linux). */
export function localHolder(pid: number): LeaseHolder | undefined {
  const linux = linuxProcess(pid);
  return linux && { host: hostname(), pid, started: `${linux.realm}:${linux.ticks}` };
}

/**
 * Whether we can tell if `holder`, a process of this host, still runs: not when it started in
 * another pid namespace (another container sharing the host name) or before a reboot's boot
 * id we cannot compare, since its pid means nothing here.
 */
export function canCheckHolder(holder: LeaseHolder, self = currentHolder()): boolean {
  const mine = self.started;
  if (!holder.started.startsWith('linux:') || !mine.startsWith('linux:')) return true;
  const realmOf = (started: string): string => started.slice(0, started.lastIndexOf(':'));
  return realmOf(holder.started) === realmOf(mine);
}

/**
 * Whether the holder, a process of this host and of our pid namespace, still runs: its pid
 * exists, it has not exited (a zombie has), and, where the system tells, it is the same
 * process (started at the same time) and not a later one that was given the same pid.
 */
export function isHolderAlive(holder: LeaseHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!holder.started.startsWith('linux:')) return true;
  const now = linuxProcess(holder.pid);
  if (now === undefined) return true;
  return !now.zombie && `${now.realm}:${now.ticks}` === holder.started;
}
