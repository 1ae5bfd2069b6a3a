// Resource use during a measured window, from /proc (Linux): each watched process's resident
// memory (VmRSS, sampled; peak kept) and CPU time (utime + stime), and the whole machine's busy
// CPU, so a report can say how much of the 2 shared cores went to something else.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** USER_HZ: Linux reports process CPU times in clock ticks of 1/100 s on every common platform. */
const TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 200;

export interface ProcessUsage {
  /** Highest VmRSS seen during the window, MB. */
  rssPeakMb: number;
  /** CPU used during the window as a percentage of one core (200 = two cores). */
  cpuPercent: number;
}

export interface WindowUsage {
  processes: Record<string, ProcessUsage | null>;
  /** This (load-generating) process. */
  loadGeneratorCpuPercent: number;
  /** Whole machine, percentage of one core, and how many cores there are. */
  machineCpuPercent: number;
  cores: number;
}

export function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is fields[0]; utime and stime are stat fields 14 and 15.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

export interface Sampler {
  stop(): WindowUsage;
}

export function startSampler(pids: Record<string, number | undefined>): Sampler {
  const started = process.hrtime.bigint();
  const ownStart = process.cpuUsage();
  const machineStart = machineTicks();
  const watched = Object.entries(pids).filter((entry): entry is [string, number] => entry[1] !== undefined);
  const startTicks = new Map(watched.map(([name, pid]) => [name, processTicks(pid)]));
  const peaks = new Map<string, number>();
  const sample = () => {
    for (const [name, pid] of watched) {
      const rss = rssMb(pid);
      if (rss !== null) peaks.set(name, Math.max(peaks.get(name) ?? 0, rss));
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const processes: Record<string, ProcessUsage | null> = {};
      for (const [name, pid] of watched) {
        const before = startTicks.get(name);
        const after = processTicks(pid);
        processes[name] =
          before == null || after === null
            ? null
            : {
                rssPeakMb: peaks.get(name) ?? 0,
                cpuPercent: ((after - before) / TICKS_PER_SECOND / seconds) * 100,
              };
      }
      for (const [name] of Object.entries(pids).filter(([, pid]) => pid === undefined))
        processes[name] = null;
      const own = process.cpuUsage(ownStart);
      const machineEnd = machineTicks();
      const cores = cpus().length;
      const machineShare =
        (machineEnd.busy - machineStart.busy) / Math.max(1, machineEnd.total - machineStart.total);
      return {
        processes,
        loadGeneratorCpuPercent: ((own.user + own.system) / 1e6 / seconds) * 100,
        machineCpuPercent: machineShare * cores * 100,
        cores,
      };
    },
  };
}
