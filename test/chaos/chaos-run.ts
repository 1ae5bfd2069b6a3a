// The chaos run: a steady query load through the gateway while, in turn, one subgraph process is
// killed (and should come back), our own Redis is stopped and started again, and Postgres (the
// audit table) is cut off and restored behind a TCP proxy. Each phase is measured from the load's
// own answers; the audit trail is read directly afterwards, by correlation id.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack } from '../../scripts/stack.js';
import { bearer, mintToken } from '../tokens.js';
import { auditedCorrelationIds, dropAuditSchema, type AuditLocation } from './audit-counter.js';
import { FAULT_CODES } from './documented-codes.js';
import { listeningPid, portOf, waitForPid } from './listening-processes.js';
import { startOwnRedisServer, type OwnRedisServer } from './own-redis-server.js';
import { startQueryLoad, type Outcome } from './query-load.js';
import { restartSubgraph, stackEnvironment } from './restart-subgraph.js';
import { startTcpFaultProxy, type TcpFaultProxy } from './tcp-fault-proxy.js';

export interface ChaosOptions {
  /** Concurrent clients in the closed loop. */
  connections: number;
  /** Load before the fault starts, seconds. */
  leadSeconds: number;
  /** How long each fault lasts, seconds. */
  faultSeconds: number;
  /** How long to wait, after a fault ends, for normal service before calling it not recovered. */
  recoveryWaitSeconds: number;
  /** The subgraph killed in the first phase (its fields then fail; the rest should answer). */
  subgraph: string;
  /** A request without an answer by then is a TIMEOUT. */
  requestTimeoutMs: number;
  /** Run the Redis phase (the stack then uses a redis-server of the run's own). */
  redis: boolean;
  /** The real Postgres for the audit phase (the stack reaches it through a cuttable proxy). */
  databaseUrl?: string | undefined;
  /** Which phases to run (default all three; Redis and Postgres still need their services). */
  phases?: Array<'subgraph' | 'redis' | 'postgres'>;
  /** `inherit` shows the stack's own output (to see why a process died). */
  stackOutput?: 'ignore' | 'inherit';
  log?: (line: string) => void;
}

export interface PhaseReport {
  name: string;
  fault: string;
  sent: number;
  withData: number;
  complete: number;
  byCode: Record<string, number>;
  byStatus: Record<string, number>;
  /** Errors whose code is not one a fault may give (and answers with no answer at all). */
  undocumented: Record<string, number>;
  /** Seconds from the fault's end to the first complete answer to a request sent after it. */
  recoverySeconds: number | null;
  /** For the subgraph phase: who started the killed process again. */
  restartedBy?: 'the stack' | 'the chaos run (the stack did not within the wait)';
  audited: number;
  /** Correlation ids of answers with patient data and no audit record (first 5). */
  unauditedSample: string[];
  /** Processes of the stack (other than the one killed) that died or were replaced. */
  crashed: string[];
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'log' | 'databaseUrl'>;
  audit: 'postgres' | 'embedded';
  phases: PhaseReport[];
  skipped: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const cleanups: Array<() => Promise<void> | void> = [];
  const auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-chaos-audit-'));
  cleanups.push(() => rmSync(auditDir, { recursive: true, force: true }));
  const schema = `chaos_${process.pid}_${Date.now()}`;
  try {
    let redis: OwnRedisServer | undefined;
    if (options.redis) {
      redis = await startOwnRedisServer();
      cleanups.push(() => redis?.stop());
    }
    let proxy: TcpFaultProxy | undefined;
    let stackDatabaseUrl: string | undefined;
    if (options.databaseUrl) {
      const real = new URL(options.databaseUrl);
      proxy = await startTcpFaultProxy(real.hostname, Number(real.port || 5432));
      cleanups.push(() => proxy?.close());
      const viaProxy = new URL(options.databaseUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      stackDatabaseUrl = viaProxy.toString();
      const databaseUrl = options.databaseUrl;
      cleanups.push(() => dropAuditSchema(databaseUrl, schema));
    }
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      AUDIT_DIR: auditDir,
      AUDIT_PG_SCHEMA: schema,
      // The load is one clerk sending hundreds of requests a second.
      RATE_LIMIT_REQUESTS: '100000000',
      REDIS_URL: redis?.url,
      DATABASE_URL: stackDatabaseUrl,
      REDIS_KEY_PREFIX: `nhs-graph-chaos-${process.pid}:`,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    // The stack must not inherit the shared services when the run does not put its own in place.
    const inherited = { REDIS_URL: undefined, DATABASE_URL: undefined };
    const stackEnv = { ...inherited, ...env };
    const stack = await startStack({
      freePorts: true,
      stdio: options.stackOutput ?? 'ignore',
      env: stackEnv,
    });
    cleanups.push(() => stack.stop());
    const auditLocation: AuditLocation = options.databaseUrl
      ? { databaseUrl: options.databaseUrl, schema }
      : { auditDir };

    const token = await mintToken(stack.sandboxUrl, 'clerk', { expiresInSeconds: 3600 });
    const processes = stackPorts(stack);
    const pids = new Map([...processes].map(([name, port]) => [name, listeningPid(port)]));
    const spawned: ChildProcess[] = [];
    cleanups.push(() => {
      for (const child of spawned) child.kill('SIGTERM');
    });

    const phase = async (name: string, fault: string, inject: () => Promise<number>, exempt?: string) => {
      log(`phase ${name}: ${fault}`);
      const load = startQueryLoad({
        gatewayUrl: stack.gatewayUrl,
        headers: () => bearer(token),
        connections: options.connections,
        timeoutMs: options.requestTimeoutMs,
      });
      await sleep(options.leadSeconds * 1000);
      const faultEnd = await inject();
      const recoveryDeadline = Date.now() + options.recoveryWaitSeconds * 1000;
      while (Date.now() < recoveryDeadline && firstRecovery(load.outcomes, faultEnd) === null)
        await sleep(100);
      await sleep(500);
      await load.stop();
      const report = await summarise(name, fault, load.outcomes, faultEnd, auditLocation);
      for (const [process, port] of processes) {
        const now = listeningPid(port);
        if (process === exempt) pids.set(process, now);
        else if (now !== pids.get(process))
          report.crashed.push(`${process} (pid ${pids.get(process)} -> ${now})`);
      }
      log(`phase ${name}: ${report.sent} sent, ${report.withData} with data, ${report.audited} audited`);
      return report;
    };

    const phases: PhaseReport[] = [];
    const skipped: string[] = [];
    let restartedBy: PhaseReport['restartedBy'];
    const wanted = new Set(options.phases ?? ['subgraph', 'redis', 'postgres']);
    const subgraphPort = processes.get(options.subgraph);
    if (subgraphPort === undefined) throw new Error(`no subgraph ${options.subgraph}`);
    if (!wanted.has('subgraph')) skipped.push('subgraph (not asked for)');
    else {
      const killed = await phase(
        'subgraph',
        `${options.subgraph} killed (SIGKILL) and restarted`,
        async () => {
          const pid = listeningPid(subgraphPort);
          if (pid === null) throw new Error(`${options.subgraph} is not listening`);
          process.kill(pid, 'SIGKILL');
          await sleep(options.faultSeconds * 1000);
          if ((await waitForPid(subgraphPort, options.recoveryWaitSeconds * 1000, pid)) !== null) {
            restartedBy = 'the stack';
          } else {
            restartedBy = 'the chaos run (the stack did not within the wait)';
            spawned.push(restartSubgraph(options.subgraph, stackEnvironment(stack, stackEnv)));
            await waitForPid(subgraphPort, 30_000, pid);
          }
          return Date.now();
        },
        options.subgraph,
      );
      if (restartedBy) killed.restartedBy = restartedBy;
      phases.push(killed);
    }

    if (!wanted.has('redis')) skipped.push('redis (not asked for)');
    else if (redis) {
      const own = redis;
      phases.push(
        await phase('redis', 'Redis stopped (SIGKILL) and started again on the same port', async () => {
          await own.stop();
          await sleep(options.faultSeconds * 1000);
          await own.start();
          return Date.now();
        }),
      );
    } else skipped.push('redis (REDIS_URL not set)');

    if (!wanted.has('postgres')) skipped.push('postgres (not asked for)');
    else if (proxy) {
      const cut = proxy;
      phases.push(
        await phase('postgres', 'Postgres (audit table) unreachable, then reachable again', async () => {
          cut.cut();
          await sleep(options.faultSeconds * 1000);
          cut.restore();
          return Date.now();
        }),
      );
    } else skipped.push('postgres (DATABASE_URL not set)');

    const { log: _log, databaseUrl: _url, phases: _phases, stackOutput: _output, ...shown } = options;
    return { options: shown, audit: options.databaseUrl ? 'postgres' : 'embedded', phases, skipped };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // best effort: the rest must still be cleaned up
      }
    }
  }
}

function stackPorts(stack: RunningStack): Map<string, number> {
  return new Map([
    ['gateway', portOf(stack.gatewayUrl)],
    ['sandbox', portOf(stack.sandboxUrl)],
    ...Object.entries(stack.subgraphUrls).map(([name, url]): [string, number] => [name, portOf(url)]),
  ]);
}

function firstRecovery(outcomes: Outcome[], faultEnd: number): number | null {
  let first: number | null = null;
  for (const outcome of outcomes)
    if (outcome.complete && outcome.startedAt >= faultEnd && (first === null || outcome.endedAt < first))
      first = outcome.endedAt;
  return first;
}

async function summarise(
  name: string,
  fault: string,
  outcomes: Outcome[],
  faultEnd: number,
  auditLocation: AuditLocation,
): Promise<PhaseReport> {
  const count = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1;
  };
  const byCode: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const undocumented: Record<string, number> = {};
  for (const outcome of outcomes) {
    count(byStatus, outcome.status === null ? 'no answer' : String(outcome.status));
    if (outcome.failure) {
      count(byCode, outcome.failure);
      count(undocumented, outcome.failure);
    }
    for (const code of outcome.codes) {
      count(byCode, code);
      if (!FAULT_CODES.has(code)) count(undocumented, code);
    }
  }
  const withData = outcomes.filter((outcome) => outcome.withData).map((outcome) => outcome.correlationId);
  const audited = await auditedCorrelationIds(auditLocation, withData);
  const recovered = firstRecovery(outcomes, faultEnd);
  return {
    name,
    fault,
    sent: outcomes.length,
    withData: withData.length,
    complete: outcomes.filter((outcome) => outcome.complete).length,
    byCode,
    byStatus,
    undocumented,
    recoverySeconds: recovered === null ? null : (recovered - faultEnd) / 1000,
    audited: withData.filter((id) => audited.has(id)).length,
    unauditedSample: withData.filter((id) => !audited.has(id)).slice(0, 5),
    crashed: [],
  };
}
