// The local target's faults: signals to the lab's own processes through its supervisor, which
// restarts what dies (lab/local/restartPolicy.ts), as a Kubernetes restart policy would. What each
// kind hits is in kinds.ts; here is how, and how the part hit is known to be back:
//
//   pg-replica-kill     SIGKILL to postgres-replica-1's group   back: restarted (it streams again: the lab check)
//   pg-replica-pause    SIGSTOP, SIGCONT after DURATION          back: SIGCONT sent
//   redis-primary-kill  SIGKILL to the primary of slot 0         back: restarted, and a replica with its link up
//   redis-node-pause    SIGSTOP to the primary of slot 0         back: SIGCONT sent, the node answers
//   target-restart      SIGTERM to the target                    back: restarted (healthy: the lab check)
//   prometheus-restart  SIGTERM to Prometheus                    back: restarted (scraping: the lab check)
//   runner-kill         SIGKILL to the last k6 runner            nothing comes back: the run goes on with the others
//
// Only processes the lab's supervisor started are ever signalled.

import { Redis } from 'ioredis';
import type { LabCheck } from '../analysis/verdict.ts';
import type { LocalLab } from '../local/localLab.ts';
import { splitAddress } from '../local/readiness.ts';
import type { RestartRecord } from '../process/supervisor.ts';
import { hasExited } from '../process/waitUntil.ts';
import type { FaultDriver, Healing, Injection } from './driver.ts';
import { faultLabel, type FaultSpec } from './kinds.ts';

export interface LocalFaultOptions {
  lab: Pick<LocalLab, 'supervisor' | 'dataTier'>;
  /** the run's k6 runners (runner-kill kills the last, k6-runner-<parallelism>). */
  parallelism: number;
  /** the local lab checks now (lab/run/localLabChecks.ts over checkReadiness()). */
  checks: () => Promise<LabCheck[]>;
}

/** The Postgres standby the replica faults hit. */
export const LOCAL_REPLICA = 'postgres-replica-1';

interface Hit extends Injection {
  /** the supervisor process name hit. */
  process: string;
  /** supervisor.restarts.length before the injection: restarts after it are this fault's. */
  restartsBefore: number;
  /** a Redis node's host:port. */
  address?: string;
  lifted?: boolean;
}

export function localFaultDriver(options: LocalFaultOptions): FaultDriver {
  const { supervisor, dataTier } = options.lab;
  const redis = dataTier.redis;

  const hitProcess = (process: string, signal: NodeJS.Signals, target = process): Hit => {
    const restartsBefore = supervisor.restarts.length;
    const pid = supervisor.signal(process, signal);
    return { target, detail: `${signal} to ${process} (pid ${pid}, its process group)`, process, restartsBefore };
  };

  const restartOf = (hit: Hit): RestartRecord | undefined =>
    supervisor.restarts.slice(hit.restartsBefore).filter((r) => r.name === hit.process).at(-1);

  const restarted = (hit: Hit): Healing => {
    const record = restartOf(hit);
    if (!record) return { healed: false, detail: `${hit.process} has not exited yet` };
    if (record.gaveUp) return { healed: false, detail: `${hit.process} exited (${record.exit}) and the supervisor gave up: ${record.gaveUp}` };
    if (record.restartedAtMs === undefined) return { healed: false, detail: `${hit.process} exited (${record.exit}); the supervisor restarts it after its delay` };
    const proc = supervisor.find(hit.process);
    if (!proc || hasExited(proc)) return { healed: false, detail: `${hit.process} restarted but is not running` };
    return { healed: true, detail: `${hit.process} exited (${record.exit}) and was restarted by the supervisor ${record.restartedAtMs - record.exitedAtMs} ms later (pid ${record.pid})` };
  };

  const redisMember = (address: string) => {
    const member = redis.members.find((m) => m.address === address);
    if (!member) throw new Error(`no lab Redis node at ${address}`);
    return member;
  };

  return {
    async inject(fault: FaultSpec): Promise<Injection> {
      switch (fault.kind) {
        case 'pg-replica-kill':
          return hitProcess(LOCAL_REPLICA, 'SIGKILL');
        case 'pg-replica-pause':
          return hitProcess(LOCAL_REPLICA, 'SIGSTOP');
        case 'redis-primary-kill':
        case 'redis-node-pause': {
          const address = await primaryOfSlot0(redis.nodes, redis.password);
          const member = redisMember(address);
          const hit: Hit = { ...hitProcess(member.name, fault.kind === 'redis-primary-kill' ? 'SIGKILL' : 'SIGSTOP', `${member.name} (${address}, primary of slot 0)`), address };
          return hit;
        }
        case 'target-restart':
          return hitProcess('target', 'SIGTERM');
        case 'prometheus-restart':
          return hitProcess('prometheus', 'SIGTERM');
        case 'runner-kill': {
          const runner = options.parallelism;
          return { ...hitProcess(`k6-runner-${runner}`, 'SIGKILL', `k6 runner ${runner}`), runner };
        }
        default:
          throw new Error(`${faultLabel(fault)}: the local target does not inject ${fault.kind}`);
      }
    },

    async lift(fault, injection) {
      const hit = injection as Hit;
      if (fault.durationMs === undefined || hit.lifted) return;
      hit.lifted = true;
      if (supervisor.find(hit.process)) supervisor.signal(hit.process, 'SIGCONT');
    },

    checks: options.checks,

    async healing(fault, injection): Promise<Healing> {
      const hit = injection as Hit;
      switch (fault.kind) {
        case 'pg-replica-pause':
          return { healed: hit.lifted === true, detail: hit.lifted ? `${hit.process} resumed (SIGCONT)` : `${hit.process} is stopped (SIGSTOP)` };
        case 'redis-node-pause': {
          if (!hit.lifted) return { healed: false, detail: `${hit.process} is stopped (SIGSTOP)` };
          const role = await redisRole(hit.address!, redis.password);
          return { healed: role !== undefined, detail: role ? `${hit.process} resumed (SIGCONT) and answers as ${role}` : `${hit.process} resumed but does not answer yet` };
        }
        case 'redis-primary-kill': {
          const back = restarted(hit);
          if (!back.healed) return back;
          const role = await redisRole(hit.address!, redis.password);
          return role === 'replica (link up)'
            ? { healed: true, detail: `${back.detail}; it rejoined as a replica` }
            : { healed: false, detail: `${back.detail}; it answers as ${role ?? 'nothing yet'}, not yet a replica with its link up` };
        }
        case 'runner-kill':
          return { healed: true, detail: `runner ${hit.runner} stays down (a k6-operator runner Job is not restarted either)` };
        default:
          return restarted(hit);
      }
    },
  };
}

/** A short-lived client that gives up on a node that does not answer (stopped, restarting). */
async function withNode<T>(address: string, password: string, work: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const [host, port] = splitAddress(address);
  const client = new Redis({
    host, port, password, lazyConnect: true, connectTimeout: 1000, commandTimeout: 1000,
    maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async () => {
        await client.connect();
        return work(client);
      })(),
      new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), 2000); }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** `host:port` of the node that serves slot 0 as primary now (CLUSTER SLOTS of the first node that answers). */
export async function primaryOfSlot0(nodes: readonly string[], password: string): Promise<string> {
  for (const node of nodes) {
    const slots = await withNode(node, password, (c) => c.call('CLUSTER', 'SLOTS') as Promise<Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>>);
    const range = slots?.find(([from, to]) => from <= 0 && 0 <= to);
    if (range) return `${range[2][0]}:${range[2][1]}`;
  }
  throw new Error(`no Redis node of the lab answered CLUSTER SLOTS (${nodes.join(', ')})`);
}

/** `primary`, `replica (link up)`, `replica (link down)`, or undefined when it does not answer. */
export async function redisRole(address: string, password: string): Promise<string | undefined> {
  const info = await withNode(address, password, (c) => c.info('replication') as Promise<string>);
  if (info === undefined) return undefined;
  if (/role:master/.test(info)) return 'primary';
  return /master_link_status:up/.test(info) ? 'replica (link up)' : 'replica (link down)';
}
