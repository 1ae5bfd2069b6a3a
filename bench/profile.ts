// Reads a V8 .cpuprofile (`node --cpu-prof`) and says where the time went: self time by
// function and by area (package, project folder, GC), and inclusive time of nhs-graph's own
// code (gateway/, platform/), which is what the "hot path" section of the report is built on.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PROJECT_ROOT } from '../platform/paths.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  percent: number;
}

export interface ProfileSummary {
  sampledSeconds: number;
  /** Share of samples in which the process was idle (waiting on I/O). */
  idlePercent: number;
  topSelf: ProfileEntry[];
  byArea: ProfileEntry[];
  /** nhs-graph's own functions (gateway/, platform/), by inclusive (synchronous) time. */
  ownCodeInclusive: ProfileEntry[];
}

/** Microseconds on the monotonic clock V8 stamps profiles with (process.hrtime's clock). */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * `window`: only samples taken inside it (monotonic microseconds, see monotonicMicros), so start-up
 * and warm-up do not count.
 */
export function summariseCpuProfile(
  path: string,
  window?: { start: number; end: number },
  top = 20,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = Math.max(0, profile.timeDeltas[index] ?? 0);
    at += delta;
    if (window && (at < window.start || at > window.end)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
    total += delta;
  });

  const key = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}\u0000${where(frame)}`;
  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveOwn = new Map<string, number>();
  let idle = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') idle += micros;
    selfByFunction.set(key(frame), (selfByFunction.get(key(frame)) ?? 0) + micros);
    selfByArea.set(area(frame), (selfByArea.get(area(frame)) ?? 0) + micros);
    // Inclusive: every distinct own function on this sample's stack gets the sample's time.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const currentFrame = byId.get(current)?.callFrame;
      if (!currentFrame || !isOwnCode(currentFrame)) continue;
      const k = key(currentFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusiveOwn.set(k, (inclusiveOwn.get(k) ?? 0) + micros);
    }
  }
  const busy = Math.max(1, total - idle);
  const entries = (map: Map<string, number>, denominator: number, count: number): ProfileEntry[] =>
    [...map.entries()]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => {
        const [fn = name, location = ''] = name.split('\u0000');
        return { name: fn, where: location, percent: (micros / denominator) * 100 };
      });
  return {
    sampledSeconds: total / 1e6,
    idlePercent: (idle / Math.max(1, total)) * 100,
    topSelf: entries(selfByFunction, busy, top),
    byArea: entries(selfByArea, busy, 15),
    ownCodeInclusive: entries(inclusiveOwn, busy, 12),
  };
}

function where(frame: CallFrame): string {
  if (!frame.url) return '';
  const path = frame.url.startsWith('file://') ? new URL(frame.url).pathname : frame.url;
  const shown = path.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, path) : path;
  // tsx-compiled project files report line 1; their file name says enough.
  return frame.lineNumber > 0 ? `${shown}:${frame.lineNumber + 1}` : shown;
}

function isOwnCode(frame: CallFrame): boolean {
  const shown = where(frame);
  return /^(gateway|platform)\//.test(shown);
}

function area(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return '(garbage collector)';
  if (frame.functionName === '(program)') return '(program: V8/native, unattributed)';
  if (!frame.url) return '(native / V8 builtins)';
  if (frame.url.startsWith('node:')) return 'node: core';
  const shown = where(frame);
  const last = [...shown.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].at(-1)?.[1];
  if (last) return last;
  const folder = /^([^/]+)\//.exec(shown)?.[1];
  return folder ? `${folder}/ (nhs-graph)` : shown;
}
