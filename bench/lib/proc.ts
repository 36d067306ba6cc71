// Per-process CPU time and resident memory from /proc (Linux), for CPU-per-request figures that
// stay meaningful on a noisy machine, and for the memory scenario.
import { readFileSync } from 'node:fs';

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
