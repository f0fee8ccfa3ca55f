/**
 * Shared setup for the rotation tests that run against moto: seeding an IAM user with keys and
 * secrets that hold them, a consumer that "uses" a key (any call signed with it makes moto mark
 * it used now), an injected clock, a SQLite store that can "crash", and a driver that pushes a
 * rotation to its end the way people and the scheduler would.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsRecorder } from '../../devkit/aws-recorder.js';
import type { MotoServer } from '../../devkit/moto.js';
import {
  allowedPersonEvents,
  createRotationRunner,
  type FaultHook,
  isFinal,
  KEY_TAG,
  type KeyPair,
  type Rotation,
  type RotationConfigInput,
  type RotationRunner,
  type RotationState,
} from '../../src/rotation/core/index.js';
import type { RotationRunnerDeps } from '../../src/rotation/core/runner.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { startTestMoto } from '../support/moto.js';

export const REGION = 'eu-west-1';
export const USER = 'svc-deploy';
export const ROLE = { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' };
export const REQUESTER = { slackId: 'UREQUESTER', teamId: 'T1', email: 'req@example.com' };
export const APPROVER = 'UAPPROVER';
export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
const ADMIN = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };

/** Silent logger that keeps every line, so tests can check nothing secret was logged. */
export function memoryLogger(): { lines: string[]; info: Logger; warn: Logger; error: Logger } {
  const lines: string[] = [];
  const log: Logger = (obj: unknown, msg?: string) => {
    lines.push(JSON.stringify({ obj, msg }));
  };
  return { lines, info: log, warn: log, error: log };
}
type Logger = (obj: unknown, msg?: string) => void;

export class TestClock {
  constructor(public t: number) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Seeded {
  oldKey: KeyPair;
  secondKey?: KeyPair;
  /** Secret name → its original SecretString. */
  originals: Record<string, string>;
  /** Parameter name → its original value (a SecureString under its own KMS key). */
  parameters: Record<string, string>;
  /** The KMS key of the SecureString parameter. */
  kmsKeyId?: string;
}

/** The SecureString parameter the seed puts the key in. */
export const PARAMETER = '/ci/deploy/aws';

/** Thrown by the fault hook: the runner "process" dies at that point. */
export class Crash extends Error {
  constructor(point: string) {
    super(`crash at ${point}`);
    this.name = 'Crash';
  }
}

/** A store that stops working after a crash, as a dead process would not write anything else. */
export function crashableStore(inner: Store): Store & { dead: boolean } {
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (wrapper.dead) return Promise.reject(new Crash('store used after crash'));
    return fn();
  };
  const wrapper = {
    dead: false,
    create: ((...a: Parameters<Store['create']>) => guard(() => inner.create(...a))) as Store['create'],
    get: ((...a: Parameters<Store['get']>) => guard(() => inner.get(...a))) as Store['get'],
    update: ((...a: Parameters<Store['update']>) => guard(() => inner.update(...a))) as Store['update'],
    delete: (...a: Parameters<Store['delete']>) => guard(() => inner.delete(...a)),
    query: ((...a: Parameters<Store['query']>) => guard(() => inner.query(...a))) as Store['query'],
    acquireLease: (...a: Parameters<Store['acquireLease']>) => guard(() => inner.acquireLease(...a)),
    releaseLease: (...a: Parameters<Store['releaseLease']>) => guard(() => inner.releaseLease(...a)),
    getLease: (...a: Parameters<Store['getLease']>) => guard(() => inner.getLease(...a)),
    rememberOnce: (...a: Parameters<Store['rememberOnce']>) => guard(() => inner.rememberOnce(...a)),
    close: () => inner.close(),
  };
  return wrapper;
}

/**
 * The moto and {@link Harness} a rotation test file runs against: started once for the file,
 * stopped after it and, unless `resetEach` is false, reset (fresh moto state, store and clock)
 * before each test. `use` gets the harness once it is there; hooks the file registers after this
 * call run after the reset.
 */
export function useMotoHarness(use: (h: Harness) => void, options: { resetEach?: boolean } = {}): void {
  let moto: MotoServer | undefined;
  let h: Harness | undefined;
  before(async () => {
    moto = await startTestMoto();
    h = await Harness.create(moto);
    use(h);
  });
  after(async () => {
    await h?.stop();
    await moto?.stop();
  });
  if (options.resetEach !== false) {
    beforeEach(async () => {
      await h!.reset();
    });
  }
}

export class Harness {
  readonly clock = new TestClock(Date.now());
  readonly logger = memoryLogger();
  readonly admin: { iam: IAMClient; sm: SecretsManagerClient; ssm: SSMClient; kms: KMSClient };
  /** The person's clients, through the recorder so tests can count calls. */
  readonly clients: { iam: IAMClient; secretsManager: SecretsManagerClient; ssm: SSMClient };
  dir = '';
  store!: Store & { dead: boolean };
  private stores: Store[] = [];

  private constructor(
    readonly moto: MotoServer,
    readonly recorder: AwsRecorder,
  ) {
    const admin = { region: REGION, endpoint: moto.url, credentials: ADMIN };
    this.admin = {
      iam: new IAMClient(admin),
      sm: new SecretsManagerClient(admin),
      ssm: new SSMClient(admin),
      kms: new KMSClient(admin),
    };
    const viaRecorder = { region: REGION, endpoint: recorder.url, credentials: ADMIN, maxAttempts: 1 };
    this.clients = {
      iam: new IAMClient(viaRecorder),
      secretsManager: new SecretsManagerClient(viaRecorder),
      ssm: new SSMClient(viaRecorder),
    };
  }

  static async create(moto: MotoServer): Promise<Harness> {
    return new Harness(moto, await AwsRecorder.start(moto.url));
  }

  /** Fresh moto state, a fresh store directory, a fresh clock. */
  async reset(): Promise<void> {
    await this.moto.reset();
    this.recorder.clear();
    await this.closeStores();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = mkdtempSync(join(tmpdir(), 'locksmith-rotation-'));
    this.store = crashableStore(this.openStore());
    this.clock.t = Date.now();
    this.logger.lines.length = 0;
  }

  private openStore(): Store {
    const store = openSqliteStore({ dataDir: this.dir });
    this.stores.push(store);
    return store;
  }

  /** "Restart": the old store handle is dropped, the same file is opened again. */
  async restart(): Promise<void> {
    this.store.dead = true;
    this.store = crashableStore(this.openStore());
  }

  runner(
    options: {
      faults?: FaultHook;
      config?: RotationConfigInput;
      owner?: { id: string; isGone: (holder: string) => boolean };
      authorize?: RotationRunnerDeps['authorize'];
    } = {},
  ): RotationRunner {
    return createRotationRunner({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      config: { thirdPartyPlaces: [], ...options.config },
      clientsFor: async () => this.clients,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.authorize ? { authorize: options.authorize } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.closeStores();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    await this.recorder.stop();
    for (const client of [...Object.values(this.admin), ...Object.values(this.clients)]) client.destroy();
  }

  private async closeStores(): Promise<void> {
    for (const s of this.stores) await s.close();
    this.stores = [];
  }

  // -------------------------------------------------------------------------------------------
  // AWS seeding and inspection (admin clients, straight to moto)

  async createKey(userName = USER): Promise<KeyPair> {
    const res = await this.admin.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { accessKeyId: res.AccessKey!.AccessKeyId!, secretAccessKey: res.AccessKey!.SecretAccessKey! };
  }

  /**
   * The user with one key used by a consumer, stored in two secrets (a JSON one and an
   * "id:secret" one) and a SecureString parameter under its own KMS key, plus an unrelated secret;
   * `secondKey: 'unused' | 'used'` adds a second key. The places are tagged with the key id, as
   * locksmith leaves them (`tagged: false`: as an account never indexed).
   */
  async seed(options: { secondKey?: 'unused' | 'used'; tagged?: boolean } = {}): Promise<Seeded> {
    await this.admin.iam.send(new CreateUserCommand({ UserName: USER }));
    const oldKey = await this.createKey();
    await this.use(oldKey);
    let secondKey: KeyPair | undefined;
    if (options.secondKey) {
      secondKey = await this.createKey();
      if (options.secondKey === 'used') await this.use(secondKey);
    }
    const originals: Record<string, string> = {
      'app/deploy': JSON.stringify(
        {
          aws_access_key_id: oldKey.accessKeyId,
          aws_secret_access_key: oldKey.secretAccessKey,
          region: REGION,
        },
        null,
        2,
      ),
      'ci/deploy-creds': `${oldKey.accessKeyId}:${oldKey.secretAccessKey}`,
      'db/password': JSON.stringify({ password: 'hunter2' }),
    };
    const tagged = options.tagged !== false;
    const tags = (name: string) =>
      tagged && name !== 'db/password' ? [{ Key: KEY_TAG, Value: oldKey.accessKeyId }] : undefined;
    for (const [name, value] of Object.entries(originals)) {
      await this.admin.sm.send(
        new CreateSecretCommand({ Name: name, SecretString: value, Tags: tags(name) }),
      );
    }
    const kmsKeyId = (await this.admin.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const parameters = {
      [PARAMETER]: JSON.stringify({
        AWS_ACCESS_KEY_ID: oldKey.accessKeyId,
        AWS_SECRET_ACCESS_KEY: oldKey.secretAccessKey,
      }),
    };
    await this.admin.ssm.send(
      new PutParameterCommand({
        Name: PARAMETER,
        Value: parameters[PARAMETER],
        Type: 'SecureString',
        KeyId: kmsKeyId,
        ...(tagged ? { Tags: [{ Key: KEY_TAG, Value: oldKey.accessKeyId }] } : {}),
      }),
    );
    return { oldKey, ...(secondKey ? { secondKey } : {}), originals, parameters, kmsKeyId };
  }

  /** Removes locksmith's tag from every secret and parameter (an account whose tags were lost). */
  async untagAll(): Promise<void> {
    for (const name of ['app/deploy', 'ci/deploy-creds']) {
      await this.admin.sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: [KEY_TAG] }));
    }
    await this.admin.ssm.send(
      new RemoveTagsFromResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: PARAMETER,
        TagKeys: [KEY_TAG],
      }),
    );
  }

  /** The value of a secret's locksmith tag. */
  async tagOf(name: string): Promise<string | undefined> {
    const res = await this.admin.sm.send(new DescribeSecretCommand({ SecretId: name }));
    return res.Tags?.find((t) => t.Key === KEY_TAG)?.Value;
  }

  /** The value of a parameter's locksmith tag. */
  async parameterTag(name: string): Promise<string | undefined> {
    const res = await this.admin.ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }),
    );
    return res.TagList?.find((t) => t.Key === KEY_TAG)?.Value;
  }

  /** A parameter's current value, type and KMS key, and how many versions it has. */
  async parameter(name: string): Promise<{ value: string; type: string; keyId?: string; versions: number }> {
    const got = await this.admin.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const meta = await this.admin.ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
      }),
    );
    const history = await this.admin.ssm.send(new GetParameterHistoryCommand({ Name: name }));
    return {
      value: got.Parameter!.Value!,
      type: got.Parameter!.Type!,
      ...(meta.Parameters?.[0]?.KeyId ? { keyId: meta.Parameters[0].KeyId } : {}),
      versions: history.Parameters?.length ?? 0,
    };
  }

  /** A consumer calls AWS with this key; moto marks it used now. */
  async use(pair: KeyPair): Promise<void> {
    const sts = new STSClient({ region: REGION, endpoint: this.moto.url, credentials: pair });
    try {
      await sts.send(new GetCallerIdentityCommand({}));
    } finally {
      sts.destroy();
    }
  }

  async current(name: string): Promise<string> {
    const res = await this.admin.sm.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }),
    );
    return res.SecretString!;
  }

  async versionCount(name: string): Promise<number> {
    const res = await this.admin.sm.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );
    return res.Versions?.length ?? 0;
  }

  async keys(userName = USER): Promise<Array<{ id: string; status: string }>> {
    const res = await this.admin.iam.send(new ListAccessKeysCommand({ UserName: userName }));
    return (res.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId!, status: k.Status! }));
  }

  /** The consumer of app/deploy reads its secret (as deployed software would) and uses that key. */
  async consumerSwitches(): Promise<KeyPair> {
    const value = JSON.parse(await this.current('app/deploy')) as Record<string, string>;
    const pair = { accessKeyId: value.aws_access_key_id!, secretAccessKey: value.aws_secret_access_key! };
    await this.use(pair);
    return pair;
  }

  /** Calls that moto answered with LimitExceeded (HTTP 409). */
  limitExceeded(): number {
    return this.recorder.calls.filter((c) => c.status === 409).length;
  }

  // -------------------------------------------------------------------------------------------
  // Driving

  async start(runner: RotationRunner, id = 'rot-test') {
    return runner.start({ id, role: ROLE, userName: USER, requester: REQUESTER }, { clients: this.clients });
  }

  /**
   * Pushes a rotation on as people and the scheduler would: confirm all updatable places, let
   * the consumer switch, let time pass, approve, confirm. A stale step (after a crash) is left to
   * the lease to expire and then reconciled. Stops at `stopAt` (when no step is in flight) or at
   * a final state.
   */
  async drive(runner: RotationRunner, id: string, stopAt?: RotationState): Promise<Rotation> {
    for (let i = 0; i < 60; i++) {
      const record = await runner.get(id);
      assert.ok(record, `rotation ${id} exists`);
      const r = record.data;
      const acknowledging = allowedPersonEvents(r, this.clock.now()).includes('acknowledge-search');
      if (
        isFinal(r.state) ||
        (stopAt === r.state && !r.intent && !(r.state === 'notify-and-approve' && acknowledging))
      )
        return r;
      if (r.intent) {
        this.clock.advance(6 * 60_000);
        await runner.reconcile(id);
        continue;
      }
      switch (r.state) {
        case 'inspect':
        case 'locate':
          await runner.reconcile(id);
          break;
        case 'confirm-places':
          await runner.handle(
            id,
            {
              type: 'confirm-places',
              by: REQUESTER.slackId,
              secrets: r.places.secrets.filter((s) => s.updatable).map((s) => s.name),
              checklist: [],
            },
            { clients: this.clients },
          );
          break;
        case 'switch-over':
          if (r.newKeyCreatedHere) await this.consumerSwitches();
          this.clock.advance(25 * HOUR);
          await runner.resumeDue();
          break;
        case 'notify-and-approve':
        case 'confirm-delete':
          if (allowedPersonEvents(r, this.clock.now()).includes('acknowledge-search')) {
            // Only tagged places were searched: the requester says they know.
            await runner.handle(
              id,
              { type: 'acknowledge-search', by: REQUESTER.slackId },
              { clients: this.clients },
            );
          } else if (r.pendingApproval) {
            await runner.handle(
              id,
              { type: 'approval-granted', by: APPROVER, approvalId: r.pendingApproval.id },
              { clients: this.clients },
            );
          } else if (r.state === 'confirm-delete') {
            await runner.handle(
              id,
              { type: 'confirm-delete', by: REQUESTER.slackId },
              { clients: this.clients },
            );
          } else {
            throw new Error('notify-and-approve without a pending approval');
          }
          break;
        case 'grace':
          this.clock.advance(8 * DAY);
          await runner.resumeDue();
          break;
        default:
          throw new Error(`drive: nothing to do in ${r.state}`);
      }
    }
    throw new Error('drive: rotation did not finish');
  }
}
