/**
 * Builds AWS SDK clients. Every client honours the SDK's standard settings (AWS_REGION, the
 * default credential chain, AWS_ENDPOINT_URL and the service-specific endpoint variables), so
 * tests and the sandbox reach moto through the same code path as production reaches AWS.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { locksmithUserAgent } from './user-agent.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/**
 * The clients one person's session uses; all signed with that session's credentials. Each is
 * made on first use: most sessions only ever read secrets.
 */
export interface AwsClients {
  secretsManager: SecretsManagerClient;
  iam: IAMClient;
  sts: STSClient;
  /** Parameter Store: `ssm:` names of /secret, and the places a rotation finds and writes. */
  ssm: SSMClient;
  /** CloudTrail in `region` (default: the clients' own); LookupEvents answers per Region. */
  cloudTrail(region?: string): CloudTrailClient;
}

export interface AwsClientFactory {
  /** Clients signed with the bot's own credentials: used only to assume roles. */
  botSts(): STSClient;
  /** Clients signed with a person's assumed-role credentials. */
  forCredentials(credentials: AwsCredentials): AwsClients;
}

export interface AwsClientOptions {
  region?: string;
  /** Longest wait for a TCP connection to an AWS endpoint, per attempt. Default 1000 ms. */
  connectionTimeoutMs?: number;
  /**
   * Longest wait for an answer, per attempt. Default 3000 ms. With the SDK's defaults a hung
   * endpoint holds a person's reply forever (its requestTimeout only logs a warning unless
   * throwOnRequestTimeout is set), so this is always enforced.
   */
  requestTimeoutMs?: number;
  /** Attempts per call, the first included (the SDK's standard retry mode). Default 3. */
  maxAttempts?: number;
  /** Called with every client built here: metrics/aws-calls.ts adds its counting middleware. */
  instrument?: (client: STSClient | SecretsManagerClient | IAMClient | CloudTrailClient | SSMClient) => void;
}

/** The SDK client settings (region, retries, timeouts) every AWS client of the bot should share. */
export function awsClientSettings(options: AwsClientOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    // CloudTrail shows it in every event's userAgent: how a security team recognises locksmith.
    customUserAgent: locksmithUserAgent(),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 3000,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * The factory every AWS call goes through. A hung or slow endpoint fails after
 * `maxAttempts × requestTimeoutMs` (plus the SDK's short backoff) with a TimeoutError, which
 * classifyAwsError reports as `unavailable` and isAwsTimeout recognises (aws-errors.ts).
 */
export function createAwsClientFactory(options: AwsClientOptions = {}): AwsClientFactory {
  const { requestHandler: timeouts, ...common } = awsClientSettings(options);
  // One connection pool for every client, instead of one per client (the SDK's default): a
  // person's first request then reuses an open TLS connection to the endpoint instead of
  // paying for a handshake, and 100 people do not hold 100 pools.
  const requestHandler = new SharedHttpHandler({
    ...timeouts,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  });
  const settings = { ...common, requestHandler };
  const built = <C extends STSClient | SecretsManagerClient | IAMClient | CloudTrailClient | SSMClient>(
    client: C,
  ): C => {
    options.instrument?.(client);
    return client;
  };
  let botSts: STSClient | undefined;
  return {
    botSts() {
      botSts ??= built(new STSClient(settings));
      return botSts;
    },
    forCredentials(credentials) {
      const creds = {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      };
      let secretsManager: SecretsManagerClient | undefined;
      let iam: IAMClient | undefined;
      let sts: STSClient | undefined;
      let ssm: SSMClient | undefined;
      const cloudTrails = new Map<string, CloudTrailClient>();
      return {
        get secretsManager() {
          return (secretsManager ??= built(new SecretsManagerClient({ ...settings, credentials: creds })));
        },
        get iam() {
          return (iam ??= built(new IAMClient({ ...settings, credentials: creds })));
        },
        get sts() {
          return (sts ??= built(new STSClient({ ...settings, credentials: creds })));
        },
        get ssm() {
          return (ssm ??= built(new SSMClient({ ...settings, credentials: creds })));
        },
        cloudTrail(region) {
          const key = region ?? '';
          let client = cloudTrails.get(key);
          if (!client) {
            // One attempt: the trail's rate limiter retries, so every request counts against
            // CloudTrail's 2-a-second allowance (the SDK's own retries would not).
            client = built(
              new CloudTrailClient({
                ...settings,
                maxAttempts: 1,
                credentials: creds,
                ...(region ? { region } : {}),
              }),
            );
            cloudTrails.set(key, client);
          }
          return client;
        },
      };
    },
  };
}

/**
 * The pool every client of a factory shares. A client's `destroy()` destroys its request
 * handler; here that would close everyone's connections, so it is ignored.
 */
class SharedHttpHandler extends NodeHttpHandler {
  override destroy(): void {}
}
