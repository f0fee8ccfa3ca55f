/**
 * Who read or changed a secret: CloudTrail's event history, read under the person's own role.
 * Domain code: takes a person's session, returns plain data, throws UserErrors a person can act
 * on. Knows nothing of Slack.
 *
 * The secret is described first, so everything is decided on the name and ARN AWS returns, not
 * on what was typed. LookupEvents filters on one attribute at a time, so each event name is its
 * own look-up (a stream) and the events are matched to the secret here, on the ARN or name in
 * the event: a read names the secret by name, full ARN or partial ARN (`secretId`), a write also
 * returns the ARN. BatchGetSecretValue needs no stream of its own: Secrets Manager records a
 * GetSecretValue event for each secret it returns (Secrets Manager API reference).
 */
import { describeSecretAs } from '../aws/describe-secret.js';
import type { PersonSession } from '../identity/sessions.js';
import type { Actor, TrailEvent } from './cloudtrail-record.js';
import type { TrailAnswer, TrailService } from './trail-service.js';
import { type Agent, classifyUserAgent } from './user-agent.js';

/** Events that read a secret's value. */
export const READ_EVENTS = ['GetSecretValue'] as const;
/** Events that change a secret's value or its life. */
export const CHANGE_EVENTS = [
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'RotateSecret',
  'DeleteSecret',
  'RestoreSecret',
] as const;

const DAY_MS = 86_400_000;

export interface SecretAccess {
  id: string;
  time: Date;
  eventName: string;
  kind: 'read' | 'change';
  actor: Actor;
  agent: Agent;
  sourceIp?: string;
  /** Set when AWS refused or failed the call (`AccessDenied`, `ResourceNotFoundException`…). */
  errorCode?: string;
}

export interface SecretTrail {
  secret: { name: string; arn: string };
  accountId: string;
  region: string;
  /** The window asked for (epoch ms). */
  since: number;
  until: number;
  /** Newest first. */
  accesses: SecretAccess[];
  /** Reads and changes are complete back to these times (epoch ms); equal to `since` when whole. */
  readsFrom: number;
  changesFrom: number;
  complete: boolean;
  /** Up to when events were looked for: `until`, or earlier when CloudTrail had no room. */
  asOf: number;
  stopped?: TrailAnswer['stopped'];
  /** LookupEvents calls this answer took (0: from the cache). */
  calls: number;
}

export interface WhoInput {
  name: string;
  days: number;
  /** Epoch ms, the injected clock's. */
  now: number;
  budgetMs?: number;
}

/** The parts of a secret ARN: `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX`. */
export function parseSecretArn(arn: string): { region: string; accountId: string } | undefined {
  const m = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]! } : undefined;
}

/**
 * True when `value` (a `secretId` or an ARN from an event) names the secret: its name, its ARN,
 * or its partial ARN (the ARN without the six-character suffix Secrets Manager adds).
 */
export function namesSecret(value: unknown, secret: { name: string; arn: string }): boolean {
  if (typeof value !== 'string' || value === '') return false;
  if (value === secret.name || value === secret.arn) return true;
  const partial = secret.arn.replace(/-[A-Za-z0-9]{6}$/, '');
  return partial !== secret.arn && value === partial;
}

/** True when an event is about the secret (by `secretId`, `secretIdList`, or a returned ARN). */
export function eventNamesSecret(event: TrailEvent, secret: { name: string; arn: string }): boolean {
  const p = event.requestParameters;
  const r = event.responseElements;
  if (namesSecret(p['secretId'], secret) || namesSecret(r['arn'], secret) || namesSecret(r['aRN'], secret)) {
    return true;
  }
  const list = p['secretIdList'];
  return Array.isArray(list) && list.some((v) => namesSecret(v, secret));
}

async function describe(session: PersonSession, name: string): Promise<{ name: string; arn: string }> {
  const res = await describeSecretAs(session, name);
  if (!res.ARN || !res.Name) throw new Error('DescribeSecret returned no ARN');
  return { name: res.Name, arn: res.ARN };
}

/**
 * Who read or changed `input.name` in the last `input.days` days, from CloudTrail in the
 * secret's own Region, under the person's session. Stops at the time budget; asking again
 * continues where it stopped.
 */
export async function whoTouchedSecret(
  session: PersonSession,
  trail: TrailService,
  input: WhoInput,
): Promise<SecretTrail> {
  const secret = await describe(session, input.name);
  const where = parseSecretArn(secret.arn);
  if (!where) throw new Error('DescribeSecret returned an ARN that is not a secret ARN');
  const since = input.now - input.days * DAY_MS;
  const answer = await trail.lookup(
    {
      client: session.clients.cloudTrail(where.region),
      accountId: where.accountId,
      region: where.region,
      roleArn: session.role.arn,
      roleName: session.role.name,
    },
    [...READ_EVENTS, ...CHANGE_EVENTS].map((value) => ({ key: 'EventName' as const, value })),
    { since, until: input.now },
    input.budgetMs !== undefined ? { budgetMs: input.budgetMs } : {},
  );
  const reads = new Set<string>(READ_EVENTS);
  const accesses: SecretAccess[] = [];
  const seen = new Set<string>();
  for (const stream of answer.streams) {
    for (const event of stream.events) {
      if (seen.has(event.id) || !eventNamesSecret(event, secret)) continue;
      seen.add(event.id);
      accesses.push({
        id: event.id,
        time: event.time,
        eventName: event.name,
        kind: reads.has(event.name) ? 'read' : 'change',
        actor: event.actor,
        agent: classifyUserAgent(event.userAgent, event.fromConsole),
        ...(event.sourceIp ? { sourceIp: event.sourceIp } : {}),
        ...(event.errorCode ? { errorCode: event.errorCode } : {}),
      });
    }
  }
  accesses.sort((a, b) => b.time.getTime() - a.time.getTime());
  const coverage = (names: readonly string[]) =>
    Math.max(
      answer.since,
      ...answer.streams.filter((s) => names.includes(s.query.value)).map((s) => s.coveredFrom),
    );
  return {
    secret,
    accountId: where.accountId,
    region: where.region,
    since: answer.since,
    until: answer.until,
    accesses,
    readsFrom: coverage(READ_EVENTS),
    changesFrom: coverage(CHANGE_EVENTS),
    complete: answer.streams.every((s) => s.complete) && answer.asOf >= answer.until,
    asOf: answer.asOf,
    ...(answer.stopped ? { stopped: answer.stopped } : {}),
    calls: answer.calls,
  };
}
