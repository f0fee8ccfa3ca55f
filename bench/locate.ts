/**
 * Finding where an access key is kept, in an account with many secrets and parameters (issue
 * 16): the indexed search (locksmith's tag: ListSecrets with a tag-value filter and
 * DescribeParameters with a tag filter) against the full scan (ListSecrets, BatchGetSecretValue
 * 20 secrets a call, GetParametersByPath 10 parameters a page), in the same run, against the same
 * moto, through a recording proxy that counts every call by operation. The full scan runs at the
 * bot's own pace (`rotation.scan` defaults: 20 calls a second), as a rotation would.
 *
 * Targets: the indexed search reads no value; the full scan makes at most ⌈N/20⌉ calls that read
 * secret values.
 *
 * Usage: node --import tsx bench/locate.ts [--secrets 10000] [--parameters 1000]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsRecorder } from '../devkit/aws-recorder.js';
import { MotoServer } from '../devkit/moto.js';
import { KEY_TAG, locateByTag, scanPlaces } from '../src/rotation/core/locate.js';
import { DEFAULT_ROTATION_CONFIG } from '../src/rotation/core/rotation.js';

const REGION = 'eu-west-1';
const ADMIN = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const VALUE_READS = [
  'GetSecretValue',
  'BatchGetSecretValue',
  'GetParametersByPath',
  'GetParameter',
  'GetParameters',
];

export interface SearchFigures {
  duration_s: number;
  calls: Record<string, number>;
  /** Calls that returned secret or parameter values. */
  value_calls: number;
  found: number;
}

export interface LocateRun {
  secrets: number;
  parameters: number;
  calls_per_second: number;
  indexed: SearchFigures;
  full: SearchFigures & { secret_value_calls: number; bound_secret_value_calls: number };
}

async function inChunks<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function figures(recorder: AwsRecorder, started: number, found: number): SearchFigures {
  const calls: Record<string, number> = {};
  for (const c of recorder.calls) calls[c.operation] = (calls[c.operation] ?? 0) + 1;
  return {
    duration_s: (performance.now() - started) / 1000,
    calls,
    value_calls: recorder.calls.filter((c) => VALUE_READS.includes(c.operation)).length,
    found,
  };
}

export async function runLocate(secrets: number, parameters: number): Promise<LocateRun> {
  const moto = await MotoServer.start();
  const recorder = await AwsRecorder.start(moto.url);
  // moto's development server sometimes answers a burst of creates with a 500: retry those.
  const direct = { region: REGION, endpoint: moto.url, credentials: ADMIN, maxAttempts: 10 };
  const viaRecorder = { region: REGION, endpoint: recorder.url, credentials: ADMIN };
  const admin = { sm: new SecretsManagerClient(direct), ssm: new SSMClient(direct) };
  const clients = { secretsManager: new SecretsManagerClient(viaRecorder), ssm: new SSMClient(viaRecorder) };
  try {
    // Three secrets and one parameter hold the key, tagged as locksmith leaves them.
    const holders = new Set([0, Math.floor(secrets / 2), secrets - 1]);
    await inChunks(
      Array.from({ length: secrets }, (_, i) => i),
      4,
      (i) =>
        admin.sm.send(
          new CreateSecretCommand({
            Name: `team-${i % 50}/secret-${String(i).padStart(5, '0')}`,
            SecretString: holders.has(i)
              ? JSON.stringify({ aws_access_key_id: KEY, aws_secret_access_key: SECRET })
              : JSON.stringify({ username: `user-${i}`, password: `pw-${i}-xxxxxxxxxxxxxxxx` }),
            ...(holders.has(i) ? { Tags: [{ Key: KEY_TAG, Value: KEY }] } : {}),
          }),
        ),
    );
    await inChunks(
      Array.from({ length: parameters }, (_, i) => i),
      4,
      (i) =>
        admin.ssm.send(
          new PutParameterCommand({
            Name: `/team-${i % 20}/param-${i}`,
            Value: i === 7 ? `${KEY}:${SECRET}` : `value-${i}`,
            Type: i % 2 ? 'SecureString' : 'String',
            ...(i === 7 ? { Tags: [{ Key: KEY_TAG, Value: KEY }] } : {}),
          }),
        ),
    );

    recorder.clear();
    let started = performance.now();
    const indexed = await locateByTag(clients, KEY, [], Date.now());
    const indexedFigures = figures(recorder, started, indexed.secrets.length);

    const limits = DEFAULT_ROTATION_CONFIG.scan;
    recorder.clear();
    started = performance.now();
    const full = await scanPlaces(clients, KEY, { limits, now: Date.now() });
    const fullFigures = figures(recorder, started, full.secrets.length);
    if (full.search.secrets.listed < secrets)
      throw new Error(`listed ${full.search.secrets.listed} of ${secrets}`);
    return {
      secrets,
      parameters,
      calls_per_second: limits.callsPerSecond,
      indexed: indexedFigures,
      full: {
        ...fullFigures,
        secret_value_calls: fullFigures.calls['BatchGetSecretValue'] ?? 0,
        bound_secret_value_calls: Math.ceil(secrets / 20),
      },
    };
  } finally {
    for (const c of [...Object.values(admin), ...Object.values(clients)]) c.destroy();
    await recorder.stop();
    await moto.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      secrets: { type: 'string', default: '10000' },
      parameters: { type: 'string', default: '1000' },
    },
  });
  console.log(JSON.stringify(await runLocate(Number(values.secrets), Number(values.parameters)), null, 2));
}
