/**
 * Crash safety: the runner is stopped dead at every effect boundary (after each AWS write and
 * after each save), the store is reopened from its file, a new runner takes over, and the
 * rotation is driven to its end. Then AWS must hold exactly what an uninterrupted run leaves:
 * no lost key, no extra key, no extra secret version, and IAM's two-key limit never met.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultHook, RotationState } from '../../src/rotation/core/index.js';
import { Crash, type Harness, PARAMETER, REQUESTER, type Seeded, useMotoHarness } from './support.js';

const ID = 'rot-crash';

/** A fault hook that kills the "process" at its `at`-th call, and one that only records. */
function crashAt(h: Harness, at: number, seen: string[]): FaultHook {
  return (point) => {
    seen.push(point);
    if (seen.length === at) {
      h.store.dead = true;
      throw new Crash(point);
    }
  };
}

async function expectCrash(work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return false;
  } catch (err) {
    if (err instanceof Crash) return true;
    throw err;
  }
}

describe('rotation runner: crash at every effect boundary', () => {
  let h: Harness;
  useMotoHarness((harness) => (h = harness), { resetEach: false });

  /** The KMS key of the seeded SecureString parameter. */
  let kmsKeyId: string | undefined;

  /** The end state of a completed rotation, checked against AWS. */
  async function assertCompleted(label: string): Promise<void> {
    const record = await h.runner().get(ID);
    assert.equal(record?.data.state, 'done', `${label}: finished`);
    const newKeyId = record!.data.newKeyId!;
    assert.deepEqual(await h.keys(), [{ id: newKeyId, status: 'Active' }], `${label}: exactly the new key`);
    const app = JSON.parse(await h.current('app/deploy')) as Record<string, string>;
    assert.equal(app.aws_access_key_id, newKeyId, `${label}: app/deploy holds the new key`);
    assert.equal(
      await h.current('ci/deploy-creds'),
      `${newKeyId}:${app.aws_secret_access_key}`,
      `${label}: both secrets hold the same pair`,
    );
    for (const name of ['app/deploy', 'ci/deploy-creds']) {
      assert.equal(await h.versionCount(name), 2, `${label}: ${name} has exactly one new version`);
    }
    const parameter = await h.parameter(PARAMETER);
    assert.deepEqual(
      JSON.parse(parameter.value),
      { AWS_ACCESS_KEY_ID: newKeyId, AWS_SECRET_ACCESS_KEY: app.aws_secret_access_key },
      `${label}: the parameter holds the same pair`,
    );
    assert.equal(parameter.versions, 2, `${label}: the parameter was written once`);
    assert.equal(parameter.type, 'SecureString', `${label}: still a SecureString`);
    assert.equal(parameter.keyId, kmsKeyId, `${label}: under its own KMS key`);
    assert.equal(h.limitExceeded(), 0, `${label}: never hit the two-key limit`);
    // No lost key: with signature checks on, the pair in the secrets really authenticates.
    await h.moto.enforceIam();
    await h.use({ accessKeyId: newKeyId, secretAccessKey: app.aws_secret_access_key! });
  }

  it('the happy path, cut after each AWS write and each save, always completes the same way', async (t) => {
    const findings: string[] = [];
    for (let at = 1; ; at++) {
      await h.reset();
      const seeded = await h.seed();
      kmsKeyId = seeded.kmsKeyId;
      const seen: string[] = [];
      const doomed = h.runner({ faults: crashAt(h, at, seen) });
      const crashed = await expectCrash(async () => {
        await h.start(doomed, ID);
        await h.drive(doomed, ID);
      });
      if (!crashed) {
        // Past the last boundary: the uninterrupted run, which crossed every boundary cut above.
        await assertCompleted('uninterrupted');
        for (const point of [
          'aws:CreateAccessKey',
          'aws:PutSecretValue:app/deploy',
          `aws:PutParameter:ssm:${PARAMETER}`,
          'aws:DeleteAccessKey:old',
        ]) {
          assert.ok(seen.includes(point), `the sweep cut after ${point}`);
        }
        assert.equal(findings.length, seen.length);
        break;
      }
      const point = seen[at - 1]!;

      await h.restart();
      const survivor = h.runner();
      await h.drive(survivor, ID);
      const label = `crash #${at} after ${point}`;
      await assertCompleted(label);
      const creates = h.recorder.callsOf('CreateAccessKey').length;
      const deletes = h.recorder.callsOf('DeleteAccessKey');
      const lostKeysDeleted = deletes.filter(
        (c) => c.params.AccessKeyId !== seeded.oldKey.accessKeyId,
      ).length;
      const oldKeyDeletes = deletes.length - lostKeysDeleted;
      const puts = h.recorder.callsOf('PutSecretValue').length;
      assert.ok(creates <= 2, `${label}: at most one key re-made`);
      assert.equal(lostKeysDeleted, creates - 1, `${label}: every re-made key replaced a deleted lost one`);
      findings.push(
        `${label}: CreateAccessKey×${creates}, lost keys deleted ${lostKeysDeleted}, ` +
          `PutSecretValue×${puts}, DeleteAccessKey(old)×${oldKeyDeletes}`,
      );
    }
    for (const line of findings) t.diagnostic(line);
  });

  for (const cancelIn of ['switch-over', 'grace'] as const) {
    it(`cancelling in ${cancelIn}, cut after each compensation, still leaves AWS as it was`, async (t) => {
      const findings: string[] = [];
      for (let at = 1; ; at++) {
        await h.reset();
        const seeded = await h.seed();
        const setup = h.runner();
        await h.start(setup, ID);
        const before = await h.drive(setup, ID, cancelIn as RotationState);
        const seen: string[] = [];
        const doomed = h.runner({ faults: crashAt(h, at, seen) });
        const crashed = await expectCrash(() =>
          doomed.handle(ID, { type: 'cancel', by: REQUESTER.slackId }, { clients: h.clients }),
        );
        if (!crashed) {
          // Past the last boundary: this run went through uninterrupted.
          assert.equal((await h.runner().get(ID))?.data.state, 'cancelled');
          assert.ok(at > 3, 'the cancel crossed several boundaries');
          break;
        }
        await h.restart();
        const survivor = h.runner();
        const end = await h.drive(survivor, ID);
        const label = `cancel in ${cancelIn}, crash #${at} after ${seen[at - 1] ?? '(none)'}`;
        assert.equal(end.state, 'cancelled', label);
        await assertAsBefore(seeded, before.newKeyId!, cancelIn === 'grace', label);
        findings.push(`${label}: restored`);
      }
      for (const line of findings) t.diagnostic(line);
    });
  }

  async function assertAsBefore(seeded: Seeded, newKeyId: string, newKeyUsed: boolean, label: string) {
    const keys = await h.keys();
    assert.deepEqual(
      keys.find((k) => k.id === seeded.oldKey.accessKeyId)?.status,
      'Active',
      `${label}: old key active`,
    );
    assert.equal(
      keys.some((k) => k.id === newKeyId),
      newKeyUsed,
      `${label}: new key kept only if used`,
    );
    for (const [name, value] of Object.entries(seeded.originals)) {
      assert.equal(await h.current(name), value, `${label}: ${name} back on the old version`);
    }
    const parameter = await h.parameter(PARAMETER);
    assert.equal(
      parameter.value,
      seeded.parameters[PARAMETER],
      `${label}: the parameter holds its old value`,
    );
    assert.equal(parameter.keyId, seeded.kmsKeyId, `${label}: under its own KMS key`);
    assert.equal(parameter.versions, 3, `${label}: written once, restored once`);
    assert.equal(h.limitExceeded(), 0, `${label}: never hit the two-key limit`);
  }
});
