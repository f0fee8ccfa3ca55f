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
