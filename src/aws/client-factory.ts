/**
 * Builds AWS SDK clients. Every client honours the SDK's standard settings (AWS_REGION, the
 * default credential chain, AWS_ENDPOINT_URL and the service-specific endpoint variables), so
 * tests and the sandbox reach moto through the same code path as production reaches AWS.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The clients one person's session uses; all signed with that session's credentials. */
export interface AwsClients {
  secretsManager: SecretsManagerClient;
  iam: IAMClient;
  sts: STSClient;
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
  instrument?: (client: STSClient | SecretsManagerClient | IAMClient) => void;
}

/** The SDK client settings (region, retries, timeouts) every AWS client of the bot should share. */
export function awsClientSettings(options: AwsClientOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: options.maxAttempts ?? 3,
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
  const common = awsClientSettings(options);
  const built = <C extends STSClient | SecretsManagerClient | IAMClient>(client: C): C => {
    options.instrument?.(client);
    return client;
  };
  let botSts: STSClient | undefined;
  return {
    botSts() {
      botSts ??= built(new STSClient(common));
      return botSts;
    },
    forCredentials(credentials) {
      const creds = {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      };
      return {
        secretsManager: built(new SecretsManagerClient({ ...common, credentials: creds })),
        iam: built(new IAMClient({ ...common, credentials: creds })),
        sts: built(new STSClient({ ...common, credentials: creds })),
      };
    },
  };
}
