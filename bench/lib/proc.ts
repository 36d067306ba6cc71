// Per-process CPU time and resident memory from /proc (Linux), for CPU-per-request figures that
// stay meaningful on a noisy machine, and for the memory scenario.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

export interface ProcSample {
  cpuMs: number;
  rssMb: number;
}

export function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { cpuMs: (utime + stime) * TICK_MS, rssMb: rssKb / 1024 };
}

/** CPU time the whole machine spent busy (all cores; steal excluded: that is another guest's). */
export function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) * TICK_MS;
}

/**
 * CPU time of every process named postgres on this machine: the local server's backends and
 * helpers, with what exited children used (the postmaster reaps them: an autovacuum worker that
 * ends mid-run moves from its own counters to the postmaster's cutime/cstime, and is still counted).
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (!stat.includes(' (postgres) ')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks * TICK_MS;
}

/** Samples RSS every intervalMs until stopped; returns all samples (MB) and the peak. */
export function rssSampler(pid: number, intervalMs = 250) {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(procSample(pid).rssMb);
    } catch {
      // the process is gone
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { samples, peak: samples.length ? Math.max(...samples) : NaN };
    },
  };
}
