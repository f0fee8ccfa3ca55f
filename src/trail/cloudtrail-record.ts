/**
 * CloudTrail's records as AWS documents them, and the plain event locksmith reads out of one.
 * Pure: no AWS calls, no Slack. Sources: CloudTrail User Guide, "CloudTrail record contents" and
 * "CloudTrail userIdentity element"; CloudTrail API reference, `Event` (what LookupEvents returns).
 */

/** The `userIdentity` element. Every field is optional: records differ by identity type. */
export interface CloudTrailUserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  identityProvider?: string;
  sessionContext?: {
    attributes?: { creationDate?: string; mfaAuthenticated?: string };
    sessionIssuer?: {
      type?: string;
      principalId?: string;
      arn?: string;
      accountId?: string;
      userName?: string;
    };
    /** Set by AssumeRole's SourceIdentity; survives role chaining. locksmith sets the person's email. */
    sourceIdentity?: string;
    webIdFederationData?: Record<string, unknown>;
  };
}

/** One CloudTrail record (the `CloudTrailEvent` JSON string of a LookupEvents result). */
export interface CloudTrailRecord {
  eventVersion?: string;
  userIdentity?: CloudTrailUserIdentity;
  eventTime?: string;
  eventSource?: string;
  eventName?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  requestID?: string;
  eventID?: string;
  readOnly?: boolean;
  resources?: Array<{ ARN?: string; accountId?: string; type?: string }>;
  eventType?: string;
  managementEvent?: boolean;
  recipientAccountId?: string;
  eventCategory?: string;
  /**
   * `"true"` when the call came from an AWS Management Console session (shown only then; event
   * version 1.08 on). Console calls often carry `userAgent` "AWS Internal", so this, not the
   * agent, is what says "console".
   */
  sessionCredentialFromConsole?: string;
}

/** What LookupEvents returns per event (the SDK's `Event`, structurally). */
export interface LookupEvent {
  EventId?: string;
  EventName?: string;
  ReadOnly?: string;
  AccessKeyId?: string;
  EventTime?: Date;
  EventSource?: string;
  Username?: string;
  Resources?: Array<{ ResourceType?: string; ResourceName?: string }>;
  CloudTrailEvent?: string;
}

/** Parses a `CloudTrailEvent` string; undefined for anything that is not a JSON object. */
export function parseCloudTrailRecord(text: string | undefined): CloudTrailRecord | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as CloudTrailRecord)
    : undefined;
}

/** Who made a call, as a person would name them. */
export interface Actor {
  /**
   * The name to show: a session's SourceIdentity (locksmith sets the person's email), else the
   * IAM principal (user name, role/session, root, the AWS service).
   */
  label: string;
  kind: 'source-identity' | 'iam-user' | 'role-session' | 'root' | 'aws-service' | 'federated' | 'unknown';
  /** The IAM principal's ARN (for assumed roles, the session's). */
  arn?: string;
  accountId?: string;
  /** For assumed-role sessions: the role's name and the session's name. */
  roleName?: string;
  sessionName?: string;
}

/** One CloudTrail event as locksmith uses it. */
export interface TrailEvent {
  id: string;
  name: string;
  /** `secretsmanager.amazonaws.com`, `iam.amazonaws.com`, … */
  source: string;
  time: Date;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The record's `sessionCredentialFromConsole` was "true": made from a console session. */
  fromConsole?: boolean;
  readOnly?: boolean;
  errorCode?: string;
  /** The key that signed the call (for sessions, the session's temporary key). */
  accessKeyId?: string;
  actor: Actor;
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
}

/** AWS's own documentation writes some ARNs with spaces (`arn: aws: sts: : 1234…`); read past them. */
function cleanArn(arn: string | undefined): string | undefined {
  return arn?.replace(/\s+/g, '') || undefined;
}

/** The last path segment of an ARN's resource (`assumed-role/Role/session` → `session`). */
function lastSegment(arn: string | undefined): string | undefined {
  return arn?.split('/').pop() || undefined;
}

/** Who a `userIdentity` element names, following the type table of the userIdentity docs. */
export function actorOf(identity: CloudTrailUserIdentity | undefined): Actor {
  const arn = cleanArn(identity?.arn);
  const base = {
    ...(arn ? { arn } : {}),
    ...(identity?.accountId ? { accountId: identity.accountId } : {}),
  };
  const sourceIdentity = identity?.sessionContext?.sourceIdentity;
  const issuer = identity?.sessionContext?.sessionIssuer;
  const session =
    identity?.type === 'AssumedRole'
      ? {
          ...(issuer?.userName || arn ? { roleName: issuer?.userName ?? arn?.split('/')[1] } : {}),
          ...(lastSegment(arn) ? { sessionName: lastSegment(arn) } : {}),
        }
      : {};
  if (sourceIdentity) return { label: sourceIdentity, kind: 'source-identity', ...base, ...session };
  switch (identity?.type) {
    case 'IAMUser':
      return { label: identity.userName ?? lastSegment(arn) ?? 'an IAM user', kind: 'iam-user', ...base };
    case 'AssumedRole': {
      const label = [session.roleName, session.sessionName].filter(Boolean).join('/');
      return { label: label || 'an assumed role', kind: 'role-session', ...base, ...session };
    }
    case 'Root':
      return { label: 'root', kind: 'root', ...base };
    case 'AWSService':
      return { label: identity.invokedBy ?? 'an AWS service', kind: 'aws-service', ...base };
    case 'AWSAccount':
      return { label: `account ${identity.accountId ?? 'unknown'}`, kind: 'unknown', ...base };
    case 'FederatedUser':
    case 'SAMLUser':
    case 'WebIdentityUser':
    case 'IdentityCenterUser':
      return {
        label: identity.userName ?? lastSegment(arn) ?? identity.principalId ?? 'a federated user',
        kind: 'federated',
        ...base,
      };
    default:
      return {
        label: identity?.userName ?? lastSegment(arn) ?? identity?.principalId ?? 'unknown',
        kind: 'unknown',
        ...base,
      };
  }
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * A LookupEvents result as a {@link TrailEvent}; undefined when it lacks the basics (an id, a
 * name, a time). The record inside `CloudTrailEvent` wins over the summary fields around it.
 */
export function parseLookupEvent(event: LookupEvent): TrailEvent | undefined {
  const record = parseCloudTrailRecord(event.CloudTrailEvent);
  const id = record?.eventID ?? event.EventId;
  const name = record?.eventName ?? event.EventName;
  const recordTime = record?.eventTime ? new Date(record.eventTime) : undefined;
  const time = recordTime && !Number.isNaN(recordTime.getTime()) ? recordTime : event.EventTime;
  if (!id || !name || !time) return undefined;
  const readOnly =
    typeof record?.readOnly === 'boolean'
      ? record.readOnly
      : event.ReadOnly !== undefined
        ? event.ReadOnly === 'true'
        : undefined;
  const accessKeyId = record?.userIdentity?.accessKeyId || event.AccessKeyId;
  const actor = record?.userIdentity
    ? actorOf(record.userIdentity)
    : { label: event.Username ?? 'unknown', kind: 'unknown' as const };
  return {
    id,
    name,
    source: record?.eventSource ?? event.EventSource ?? '',
    time,
    ...(record?.awsRegion ? { region: record.awsRegion } : {}),
    ...(record?.sourceIPAddress ? { sourceIp: record.sourceIPAddress } : {}),
    ...(record?.userAgent ? { userAgent: record.userAgent } : {}),
    ...(record?.sessionCredentialFromConsole === 'true' ? { fromConsole: true } : {}),
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(record?.errorCode ? { errorCode: record.errorCode } : {}),
    ...(accessKeyId ? { accessKeyId } : {}),
    actor,
    requestParameters: objectOrEmpty(record?.requestParameters),
    responseElements: objectOrEmpty(record?.responseElements),
  };
}
