/**
 * Who still uses an access key: every management call CloudTrail recorded with the key
 * (LookupEvents by AccessKeyId), grouped by where it came from and what made it. This is the
 * evidence behind "is anything still using the old key?", where GetAccessKeyLastUsed gives one
 * date, one service and one Region. Domain code: no Slack.
 *
 * What it cannot see, and the replies say so: data events (S3 object reads, DynamoDB items,
 * Lambda invocations…), which event history does not hold; Regions not looked in; calls of
 * the last few minutes, not delivered yet; calls made with temporary keys the key obtained
 * (GetSessionToken, AssumeRole), which carry other key ids.
 */
import type { TrailEvent } from './cloudtrail-record.js';
import type { TrailAnswer, TrailService, TrailTarget } from './trail-service.js';
import { type Agent, classifyUserAgent } from './user-agent.js';

/** One source of calls: an address and a user agent. */
export interface KeyCaller {
  sourceIp: string;
  userAgent: string;
  agent: Agent;
  /** `sts`, `secretsmanager`… (event sources without `.amazonaws.com`). */
  services: string[];
  regions: string[];
  /** The operations called most, busiest first (at most 5). */
  operations: string[];
  first: Date;
  last: Date;
  count: number;
  /** Calls AWS refused or failed (an inactive key's calls among them). */
  failed: number;
}

export interface KeyUsage {
  keyId: string;
  /** Most recently seen first. */
  callers: KeyCaller[];
  /** Calls found. */
  calls: number;
  /** Epoch ms of the window; complete back to `coveredFrom` (= `since` when whole). */
  since: number;
  until: number;
  coveredFrom: number;
  complete: boolean;
  /** Up to when calls were looked for (earlier than `until` when CloudTrail had no room). */
  asOf: number;
  stopped?: TrailAnswer['stopped'];
  /** The Regions looked in. */
  regions: string[];
  /** Set when a Region could not be looked up (e.g. IAM denied it): the sentence why. */
  error?: string;
}

/** Groups one key's events by source address and user agent. */
export function groupCallers(events: TrailEvent[]): KeyCaller[] {
  const groups = new Map<
    string,
    Omit<KeyCaller, 'services' | 'regions' | 'operations'> & {
      services: Set<string>;
      regions: Set<string>;
      operations: Map<string, number>;
    }
  >();
  for (const e of events) {
    const sourceIp = e.sourceIp ?? 'unknown address';
    const userAgent = e.userAgent ?? '';
    const key = `${sourceIp}\u0000${userAgent}\u0000${e.fromConsole ? 'console' : ''}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        sourceIp,
        userAgent,
        agent: classifyUserAgent(userAgent, e.fromConsole),
        services: new Set(),
        regions: new Set(),
        operations: new Map(),
        first: e.time,
        last: e.time,
        count: 0,
        failed: 0,
      };
      groups.set(key, g);
    }
    g.count++;
    if (e.errorCode) g.failed++;
    g.services.add(e.source.replace(/\.amazonaws\.com$/, ''));
    if (e.region) g.regions.add(e.region);
    g.operations.set(e.name, (g.operations.get(e.name) ?? 0) + 1);
    if (e.time < g.first) g.first = e.time;
    if (e.time > g.last) g.last = e.time;
  }
  return [...groups.values()]
    .map((g) => ({
      ...g,
      services: [...g.services].sort(),
      regions: [...g.regions].sort(),
      operations: [...g.operations.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([name]) => name),
    }))
    .sort((a, b) => b.last.getTime() - a.last.getTime());
}

/**
 * The calls made with each of `keyIds` in `window`, looked up in each target's Region (one
 * target per Region), as far as `budgetMs` allows. A Region that fails (IAM denial, outage)
 * is reported on the key, not thrown: the rest of the evidence still stands.
 */
export async function keyUsage(
  trail: TrailService,
  targets: TrailTarget[],
  keyIds: string[],
  window: { since: number; until: number },
  budgetMs?: number,
): Promise<KeyUsage[]> {
  const queries = keyIds.map((value) => ({ key: 'AccessKeyId' as const, value }));
  const answers = await Promise.all(
    targets.map(async (target) => {
      try {
        return { target, answer: await trail.lookup(target, queries, window, budgetMs ? { budgetMs } : {}) };
      } catch (err) {
        return { target, error: err instanceof Error ? err : new Error(String(err)) };
      }
    }),
  );
  return keyIds.map((keyId) => {
    const events: TrailEvent[] = [];
    let coveredFrom = window.since;
    let complete = true;
    let asOf = window.until;
    let stopped: TrailAnswer['stopped'];
    const errors: string[] = [];
    for (const a of answers) {
      if (!a.answer) {
        errors.push(a.error?.message ?? 'unknown error');
        complete = false;
        continue;
      }
      const stream = a.answer.streams.find((s) => s.query.value === keyId);
      if (!stream) continue;
      events.push(...stream.events);
      coveredFrom = Math.max(coveredFrom, stream.coveredFrom);
      asOf = Math.min(asOf, stream.asOf);
      if (!stream.complete || stream.asOf < a.answer.until) {
        complete = false;
        stopped ??= a.answer.stopped;
      }
    }
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    return {
      keyId,
      callers: groupCallers(unique),
      calls: unique.length,
      since: window.since,
      until: window.until,
      coveredFrom,
      complete,
      asOf,
      ...(stopped ? { stopped } : {}),
      regions: targets.map((t) => t.region),
      ...(errors.length ? { error: [...new Set(errors)].join(' ') } : {}),
    };
  });
}
