/**
 * How a call was made, read from its CloudTrail `userAgent`: locksmith (`locksmith/<version>`,
 * which every AWS client of the bot adds), the console, the AWS CLI, an SDK, or an AWS service.
 * Pure. The documented values: CloudTrail User Guide, "CloudTrail record contents" (`userAgent`:
 * `signin.amazonaws.com`, `console.amazonaws.com`, `lambda.amazonaws.com`, `aws-sdk-java`,
 * `aws-cli/1.3.23 Python/2.7.6 Linux/2.6.18-164.el5`, `aws-internal/#`).
 */

export type Via = 'locksmith' | 'console' | 'cli' | 'sdk' | 'aws-service' | 'other';

export interface Agent {
  via: Via;
  /** The tool and version, when the agent names one: `aws-cli/2.15.30`, `Boto3/1.34.0`. */
  product?: string;
}

const SDK_PATTERNS: RegExp[] = [
  /\b(Terraform\/[\w.+-]+)/,
  /\b(Boto3\/[\w.+-]+)/,
  /\b(aws-sdk-[a-z0-9-]+(?:\/[\w.+-]+)?)/,
  /\b(botocore\/[\w.+-]+)/,
  /\b(aws-chalice\/[\w.+-]+)/,
];

/**
 * Classifies a CloudTrail `userAgent` string. `fromConsole` is the record's
 * `sessionCredentialFromConsole` ("CloudTrail record contents": the event originated from a
 * console session): such calls are the console whatever agent they carry ("AWS Internal" often).
 */
export function classifyUserAgent(userAgent: string | undefined, fromConsole = false): Agent {
  // One of AWS's documented samples wraps the agent in brackets.
  const ua = (userAgent ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  const locksmith = /\blocksmith\/([\w.+-]+)/.exec(ua);
  if (locksmith) return { via: 'locksmith', product: `locksmith/${locksmith[1]}` };
  if (fromConsole) return { via: 'console' };
  if (!ua) return { via: 'other' };
  if (
    ua === 'signin.amazonaws.com' ||
    ua === 'console.amazonaws.com' ||
    /^console\.[a-z0-9.-]*amazonaws\.com$/.test(ua) ||
    /^Mozilla\//.test(ua)
  ) {
    return { via: 'console' };
  }
  const cli = /\b(aws-cli\/[\w.+-]+)/.exec(ua);
  if (cli) return { via: 'cli', product: cli[1]! };
  for (const pattern of SDK_PATTERNS) {
    const sdk = pattern.exec(ua);
    if (sdk) return { via: 'sdk', product: sdk[1]! };
  }
  if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(ua) || /^aws-internal\b/i.test(ua) || ua === 'AWS Internal') {
    return { via: 'aws-service', product: ua };
  }
  return { via: 'other', product: ua.split(/\s+/)[0]!.slice(0, 60) };
}

/** How a person reads it: "via locksmith", "console", "CLI (aws-cli/2.15.30)", "SDK (Boto3/1.34.0)". */
export function describeAgent(agent: Agent): string {
  switch (agent.via) {
    case 'locksmith':
      return 'via locksmith';
    case 'console':
      return 'console';
    case 'cli':
      return agent.product ? `CLI (${agent.product})` : 'CLI';
    case 'sdk':
      return agent.product ? `SDK (${agent.product})` : 'SDK';
    case 'aws-service':
      return agent.product ? `AWS service (${agent.product})` : 'AWS service';
    default:
      return agent.product ? `other (${agent.product})` : 'unknown agent';
  }
}
