import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NoticeEffect, RotationRunner, RunResult } from '../../src/rotation/core/index.js';
import { getKeyHome, updateKeyHome } from '../../src/rotation/core/key-homes.js';
import {
  APPROVER,
  DAY,
  type Harness,
  HOUR,
  PARAMETER,
  REQUESTER,
  type Seeded,
  USER,
  useMotoHarness,
} from './support.js';

const ID = 'rot-test';
const by = REQUESTER.slackId;

function notice<K extends string>(result: RunResult, kind: K) {
  return result.notices.find((n) => n.type === 'notify' && n.notice.kind === kind) as
    Extract<NoticeEffect, { type: 'notify' }> | undefined;
}

function approvalRequest(result: RunResult) {
  return result.notices.find((n) => n.type === 'request-approval') as
    Extract<NoticeEffect, { type: 'request-approval' }> | undefined;
}

describe('rotation runner against moto', () => {
  let h: Harness;
  useMotoHarness((harness) => (h = harness));

  async function confirmAll(
    runner: RotationRunner,
    extra: { checklist?: string[] } = {},
  ): Promise<RunResult> {
    const record = await runner.get(ID);
    return runner.handle(
      ID,
      {
        type: 'confirm-places',
        by,
        secrets: record!.data.places.secrets.filter((s) => s.updatable).map((s) => s.name),
        checklist: extra.checklist ?? [],
      },
      { clients: h.clients },
    );
  }

  it('runs the whole rotation: found by tag without reading a value, both secrets and the parameter updated in place, old key deactivated after approval, then deleted', async () => {
    const seeded = await h.seed();
    const runner = h.runner();

    // inspect → locate by tag: two secrets and a parameter hold the key; no value is read.
    h.recorder.clear();
    const started = await runner.start(
      {
        id: ID,
        role: { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' },
        userName: USER,
        requester: REQUESTER,
      },
      { clients: h.clients },
    );
    assert.equal(started.outcome, 'applied');
    assert.equal(started.rotation?.state, 'confirm-places');
    assert.deepEqual(
      started.rotation?.keys.map((k) => [k.id, k.status, k.ageDays]),
      [[seeded.oldKey.accessKeyId, 'Active', 0]],
    );
    assert.notEqual(started.rotation?.keys[0]?.lastUsed, 'never');
    assert.deepEqual(
      started.rotation?.places.secrets.map((s) => [s.name, s.found, s.updatable, s.idFields]),
      [
        ['app/deploy', 'tag', true, []],
        ['ci/deploy-creds', 'tag', true, []],
        [`ssm:${PARAMETER}`, 'tag', true, []],
      ],
    );
    assert.equal(started.rotation?.places.search?.mode, 'indexed');
    const valueReads = ['GetSecretValue', 'BatchGetSecretValue', 'GetParametersByPath', 'GetParameter'];
    assert.deepEqual(
      h.recorder.calls.filter((c) => valueReads.includes(c.operation)),
      [],
      'an indexed locate reads no value',
    );
    assert.deepEqual(
      h.recorder.calls.filter((c) => c.service !== 'iam').map((c) => c.operation),
      ['ListSecrets', 'DescribeParameters'],
    );

    // create: one new key, written into both secrets and the parameter in the same fields; no reveal needed.
    const created = await confirmAll(runner);
    assert.equal(created.outcome, 'applied');
    assert.equal(created.rotation?.state, 'switch-over');
    assert.equal(created.reveal, undefined);
    const newKeyId = created.rotation!.newKeyId!;
    assert.deepEqual((await h.keys()).map((k) => k.id).sort(), [seeded.oldKey.accessKeyId, newKeyId].sort());
    const app = JSON.parse(await h.current('app/deploy')) as Record<string, string>;
    assert.equal(app.aws_access_key_id, newKeyId);
    assert.notEqual(app.aws_secret_access_key, seeded.oldKey.secretAccessKey);
    assert.equal(app.region, 'eu-west-1');
    assert.equal(await h.current('ci/deploy-creds'), `${newKeyId}:${app.aws_secret_access_key}`);
    assert.equal(await h.current('db/password'), seeded.originals['db/password']);
    assert.ok(
      (await h.current('app/deploy')).startsWith('{\n  "aws_access_key_id"'),
      'keeps the indentation',
    );
    const parameter = await h.parameter(PARAMETER);
    assert.deepEqual(JSON.parse(parameter.value), {
      AWS_ACCESS_KEY_ID: newKeyId,
      AWS_SECRET_ACCESS_KEY: app.aws_secret_access_key,
    });
    assert.equal(parameter.type, 'SecureString');
    assert.equal(parameter.keyId, seeded.kmsKeyId, 'the parameter keeps its own KMS key');
    assert.equal(parameter.versions, 2, 'one write');
    assert.deepEqual(
      created.rotation?.places.secrets.map((s) => [s.name, s.idFields, s.secretFields]),
      [
        ['app/deploy', ['aws_access_key_id'], ['aws_secret_access_key']],
        ['ci/deploy-creds', ['(value)'], ['(value)']],
        [`ssm:${PARAMETER}`, ['AWS_ACCESS_KEY_ID'], ['AWS_SECRET_ACCESS_KEY']],
      ],
      'the fields found when the key was written',
    );
    // The tags follow the key: the next rotation finds these places by tag again.
    assert.deepEqual(await h.tagOf('app/deploy'), newKeyId);
    assert.deepEqual(await h.parameterTag(PARAMETER), newKeyId);
    assert.equal(notice(created, 'switch-over-status')?.notice.kind, 'switch-over-status');

    // switch-over: the consumer picks the new key up from the secret; a day of quiet.
    await h.consumerSwitches();
    h.clock.advance(HOUR);
    const early = await runner.resumeDue();
    assert.equal(early[0]?.rotation?.state, 'switch-over', 'not quiet long enough yet');
    h.clock.advance(24 * HOUR);
    const [ready] = await runner.resumeDue();
    assert.equal(ready?.rotation?.state, 'notify-and-approve');
    // Only tagged places were searched: the requester acknowledges that before anyone is asked.
    assert.ok(notice(ready!, 'search-ack-needed'));
    assert.equal(approvalRequest(ready!), undefined);
    const acknowledged = await runner.handle(ID, { type: 'acknowledge-search', by }, { clients: h.clients });
    const planned = notice(acknowledged, 'deactivation-planned');
    assert.ok(planned && planned.notice.kind === 'deactivation-planned');
    assert.equal(planned.notice.keyId, seeded.oldKey.accessKeyId);
    const request = approvalRequest(acknowledged);
    assert.equal(request?.kind, 'deactivate-key');
    assert.match(request?.reason ?? '', /Not every place was searched/);

    // approval → inactive → grace.
    const approved = await runner.handle(ID, {
      type: 'approval-granted',
      by: APPROVER,
      approvalId: request!.approvalId,
    });
    assert.equal(approved.rotation?.state, 'grace');
    assert.deepEqual(
      (await h.keys()).find((k) => k.id === seeded.oldKey.accessKeyId),
      { id: seeded.oldKey.accessKeyId, status: 'Inactive' },
    );

    // grace → confirm → approval → delete → done.
    h.clock.advance(7 * DAY);
    const [due] = await runner.resumeDue();
    assert.equal(due?.rotation?.state, 'confirm-delete');
    assert.ok(notice(due!, 'delete-due'));
    const confirmed = await runner.handle(ID, { type: 'confirm-delete', by }, { clients: h.clients });
    const deleteRequest = approvalRequest(confirmed);
    assert.equal(deleteRequest?.kind, 'delete-key');
    const done = await runner.handle(
      ID,
      { type: 'approval-granted', by: APPROVER, approvalId: deleteRequest!.approvalId },
      { clients: h.clients },
    );
    assert.equal(done.rotation?.state, 'done');
    const finished = notice(done, 'finished');
    assert.ok(finished && finished.notice.kind === 'finished');
    assert.ok(finished.notice.summary.length >= 10);

    assert.deepEqual(await h.keys(), [{ id: newKeyId, status: 'Active' }]);
    assert.equal(await h.versionCount('app/deploy'), 2);
    assert.equal(await h.versionCount('ci/deploy-creds'), 2);
    assert.equal(await runner.resumeDue().then((r) => r.length), 0, 'nothing left for the scheduler');

    // Nothing secret reached the logs or the store.
    const newSecret = app.aws_secret_access_key!;
    const logs = h.logger.lines.join('\n');
    const stored = JSON.stringify(await runner.get(ID));
    for (const secret of [newSecret, seeded.oldKey.secretAccessKey]) {
      assert.equal(logs.includes(secret), false, 'secret in logs');
      assert.equal(stored.includes(secret), false, 'secret in store');
    }
    assert.equal(h.limitExceeded(), 0);
  });

  it('reveals the new pair once, in the create result only, when a third-party place needs it', async () => {
    await h.seed();
    const runner = h.runner({
      config: { thirdPartyPlaces: [{ name: 'Datadog', link: 'https://app.datadoghq.com' }] },
    });
    await h.start(runner, ID);
    const created = await confirmAll(runner, { checklist: ['Datadog'] });
    const app = JSON.parse(await h.current('app/deploy')) as Record<string, string>;
    assert.deepEqual(created.reveal, {
      accessKeyId: app.aws_access_key_id,
      secretAccessKey: app.aws_secret_access_key,
    });
    const again = await runner.reconcile(ID);
    assert.equal(again.reveal, undefined);
    assert.equal(JSON.stringify(await runner.get(ID)).includes(app.aws_secret_access_key!), false);
    const ticked = await runner.handle(ID, { type: 'tick-place', by, name: 'Datadog' });
    assert.equal(ticked.rotation?.places.checklist[0]?.ticked?.by, by);
  });

  it('remembers where the key lives when the rotation is done, and offers it to the next rotation, tagged or not', async () => {
    await h.seed();
    const runner = h.runner({ config: { thirdPartyPlaces: [{ name: 'Datadog', link: 'https://dd' }] } });
    await h.start(runner, ID);
    const record = await runner.get(ID);
    await runner.handle(
      ID,
      {
        type: 'confirm-places',
        by,
        secrets: record!.data.places.secrets.map((s) => s.name),
        checklist: ['Datadog'],
      },
      { clients: h.clients },
    );
    await runner.handle(ID, { type: 'tick-place', by, name: 'Datadog' }, { clients: h.clients });
    const done = await h.drive(runner, ID);
    assert.equal(done.state, 'done');

    const home = await getKeyHome(h.store, '123456789012', USER.toUpperCase());
    assert.deepEqual(
      home?.places.map((p) => [p.name, p.layout?.format, p.writtenAt !== undefined]),
      [
        ['app/deploy', 'json', true],
        ['ci/deploy-creds', 'pair', true],
        [`ssm:${PARAMETER}`, 'json', true],
      ],
    );
    assert.deepEqual(
      home?.thirdParty.map((p) => [p.name, p.ticked?.by]),
      [['Datadog', by]],
    );
    assert.equal(home?.lastRotation?.id, ID);

    // The tags are gone (someone cleaned them up) and a person noted another place: the next
    // rotation still starts from the record, without reading a value.
    await h.untagAll();
    await updateKeyHome(
      h.store,
      '123456789012',
      USER,
      (x) => ({ ...x, thirdParty: [...x.thirdParty, { name: 'Fastly' }], note: 'also in the CI of team X' }),
      h.clock.now(),
    );
    h.recorder.clear();
    const next = await h.start(runner, 'rot-next');
    assert.deepEqual(
      next.rotation?.places.secrets.map((s) => [s.name, s.found, s.idFields.length > 0]),
      [
        ['app/deploy', 'remembered', true],
        ['ci/deploy-creds', 'remembered', true],
        [`ssm:${PARAMETER}`, 'remembered', true],
      ],
    );
    assert.deepEqual(
      next.rotation?.places.checklist.map((p) => [p.name, p.source]),
      [
        ['Datadog', 'config'],
        ['Fastly', 'remembered'],
      ],
    );
    assert.equal(next.rotation?.places.note, 'also in the CI of team X');
    assert.equal(h.recorder.callsOf('GetSecretValue').length + h.recorder.callsOf('GetParameter').length, 0);
  });

  describe('two keys', () => {
    it('deletes a never-used second key after approval, then rotates the other', async () => {
      const seeded = await h.seed({ secondKey: 'unused' });
      const runner = h.runner();
      const started = await h.start(runner, ID);
      assert.equal(started.rotation?.state, 'resolve-extra-key');
      const unused = started.rotation!.keys.find((k) => k.lastUsed === 'never');
      assert.equal(unused?.id, seeded.secondKey!.accessKeyId);
      const refused = await runner.handle(ID, {
        type: 'delete-extra-key',
        by,
        keyId: seeded.oldKey.accessKeyId,
      });
      assert.equal(refused.outcome, 'refused');
      assert.equal(refused.refusal?.code, 'key-in-use');

      const asked = await runner.handle(ID, { type: 'delete-extra-key', by, keyId: unused!.id });
      const request = approvalRequest(asked);
      assert.equal(request?.target, unused!.id);
      const approved = await runner.handle(
        ID,
        { type: 'approval-granted', by: APPROVER, approvalId: request!.approvalId },
        { clients: h.clients },
      );
      assert.equal(approved.rotation?.state, 'confirm-places');
      assert.equal(approved.rotation?.oldKeyId, seeded.oldKey.accessKeyId);
      assert.deepEqual(await h.keys(), [{ id: seeded.oldKey.accessKeyId, status: 'Active' }]);
      assert.ok(notice(approved, 'extra-key-deleted'));

      const final = await h.drive(runner, ID);
      assert.equal(final.state, 'done');
      assert.deepEqual(await h.keys(), [{ id: final.newKeyId!, status: 'Active' }]);
    });

    it('with both keys in use, retiring one skips create and ends with the other', async () => {
      const seeded = await h.seed({ secondKey: 'used' });
      const runner = h.runner();
      await h.start(runner, ID);
      const refused = await runner.handle(ID, {
        type: 'delete-extra-key',
        by,
        keyId: seeded.secondKey!.accessKeyId,
      });
      assert.equal(refused.refusal?.code, 'key-in-use');
      const retired = await runner.handle(
        ID,
        { type: 'retire-key', by, keyId: seeded.oldKey.accessKeyId },
        { clients: h.clients },
      );
      assert.equal(retired.rotation?.state, 'switch-over');
      assert.equal(retired.rotation?.newKeyId, seeded.secondKey!.accessKeyId);

      const final = await h.drive(runner, ID);
      assert.equal(final.state, 'done');
      assert.deepEqual(await h.keys(), [{ id: seeded.secondKey!.accessKeyId, status: 'Active' }]);
      assert.equal(h.recorder.callsOf('CreateAccessKey').length, 0);
      assert.equal(h.recorder.callsOf('PutSecretValue').length, 0);
      assert.equal(await h.current('app/deploy'), seeded.originals['app/deploy']);
    });
  });

  it('a consumer still using the old key blocks readiness; "proceed anyway" needs an approval', async () => {
    const seeded = await h.seed();
    const runner = h.runner();
    await h.start(runner, ID);
    await confirmAll(runner);
    await h.consumerSwitches();
    for (let day = 0; day < 3; day++) {
      await h.use(seeded.oldKey); // a forgotten consumer
      h.clock.advance(25 * HOUR);
      const [polled] = await runner.resumeDue();
      assert.equal(polled?.rotation?.state, 'switch-over');
      const status = notice(polled!, 'switch-over-status');
      assert.ok(status && status.notice.kind === 'switch-over-status');
      assert.equal(status.notice.ready, false);
      assert.ok(status.notice.newKeyUsedAt !== undefined);
    }
    const unacknowledged = await runner.handle(ID, { type: 'proceed-anyway', by, reason: 'retired' });
    assert.equal(unacknowledged.refusal?.code, 'search-not-acknowledged');
    await runner.handle(ID, { type: 'acknowledge-search', by });
    const noReason = await runner.handle(ID, { type: 'proceed-anyway', by, reason: '' });
    assert.equal(noReason.refusal?.code, 'bad-input');
    const asked = await runner.handle(ID, {
      type: 'proceed-anyway',
      by,
      reason: 'the old consumer is being retired',
    });
    assert.equal(asked.rotation?.state, 'notify-and-approve');
    const request = approvalRequest(asked);
    assert.equal(request?.kind, 'skip-wait');
    const confirm = await runner.handle(ID, { type: 'confirm-deactivate', by });
    assert.equal(confirm.outcome, 'refused');
    assert.equal((await h.keys()).find((k) => k.id === seeded.oldKey.accessKeyId)?.status, 'Active');
    const approved = await runner.handle(
      ID,
      { type: 'approval-granted', by: APPROVER, approvalId: request!.approvalId },
      { clients: h.clients },
    );
    assert.equal(approved.rotation?.state, 'grace');
    assert.equal((await h.keys()).find((k) => k.id === seeded.oldKey.accessKeyId)?.status, 'Inactive');
  });

  describe('cancel leaves AWS as it was', () => {
    async function assertRestored(seeded: Seeded, newKeyKept: boolean, newKeyId?: string): Promise<void> {
      const keys = await h.keys();
      assert.deepEqual(
        keys.find((k) => k.id === seeded.oldKey.accessKeyId),
        {
          id: seeded.oldKey.accessKeyId,
          status: 'Active',
        },
      );
      assert.equal(keys.length, newKeyKept ? 2 : 1, JSON.stringify(keys));
      if (newKeyId)
        assert.equal(
          keys.some((k) => k.id === newKeyId),
          newKeyKept,
        );
      for (const [name, value] of Object.entries(seeded.originals)) {
        assert.equal(await h.current(name), value, `${name} is back on its old value`);
      }
      assert.equal(h.limitExceeded(), 0);
    }

    async function cancel(runner: RotationRunner): Promise<RunResult> {
      const result = await runner.handle(ID, { type: 'cancel', by, reason: 'test' }, { clients: h.clients });
      assert.equal(result.rotation?.state, 'cancelled', JSON.stringify(result.refusal ?? result.error));
      return result;
    }

    it('in confirm-places (nothing written yet)', async () => {
      const seeded = await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      await cancel(runner);
      await assertRestored(seeded, false);
      assert.equal(h.recorder.callsOf('CreateAccessKey').length, 0);
    });

    it('in create, after the step failed half way (one secret written, the other not)', async () => {
      const seeded = await h.seed();
      // The write to the second secret fails (here: the connection drops after the first write).
      const runner = h.runner({
        faults: (point) => {
          if (point === 'aws:PutSecretValue:app/deploy') throw new Error('socket hang up');
        },
      });
      await h.start(runner, ID);
      const failed = await confirmAll(runner);
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.error?.message ?? '', /Something went wrong/);
      assert.equal(failed.rotation?.state, 'create');
      assert.equal((await h.keys()).length, 2, 'the new key exists');
      assert.notEqual(await h.current('app/deploy'), seeded.originals['app/deploy']);
      const result = await cancel(runner);
      assert.ok(result.rotation?.outcome?.notes.some((n) => /never used and was deleted/.test(n)));
      await assertRestored(seeded, false);
    });

    it('in create, after IAM denied CreateAccessKey', async () => {
      const seeded = await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      h.recorder.failNext('CreateAccessKey', {
        status: 403,
        contentType: 'text/xml',
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error></ErrorResponse>',
      });
      const failed = await confirmAll(runner);
      assert.equal(failed.outcome, 'failed');
      assert.match(
        failed.error?.message ?? '',
        /IAM did not allow locksmith to create a key for svc-deploy \(role platform\)/,
      );
      await cancel(runner);
      await assertRestored(seeded, false);
    });

    it('in switch-over (new key unused: deleted)', async () => {
      const seeded = await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      const created = await confirmAll(runner);
      await cancel(runner);
      await assertRestored(seeded, false, created.rotation?.newKeyId);
      assert.equal(await h.versionCount('app/deploy'), 2, 'the new version stays, without AWSCURRENT');
    });

    it('in notify-and-approve (new key used: kept, and said so)', async () => {
      const seeded = await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      const r = await h.drive(runner, ID, 'notify-and-approve');
      const result = await cancel(runner);
      assert.ok(result.rotation?.outcome?.notes.some((n) => /already been used, so it was kept/.test(n)));
      assert.ok(result.notices.some((n) => n.type === 'withdraw-approval'));
      await assertRestored(seeded, true, r.newKeyId);
    });

    it('in deactivate, after UpdateAccessKey failed', async () => {
      const seeded = await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      const r = await h.drive(runner, ID, 'notify-and-approve');
      h.recorder.failNext('UpdateAccessKey', {
        status: 403,
        contentType: 'text/xml',
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error></ErrorResponse>',
      });
      const failed = await runner.handle(
        ID,
        { type: 'approval-granted', by: APPROVER, approvalId: r.pendingApproval!.id },
        { clients: h.clients },
      );
      assert.equal(failed.outcome, 'failed');
      assert.equal(failed.rotation?.state, 'deactivate');
      await cancel(runner);
      await assertRestored(seeded, true, r.newKeyId);
    });

    for (const state of ['grace', 'confirm-delete'] as const) {
      it(`in ${state} (old key inactive: reactivated)`, async () => {
        const seeded = await h.seed();
        const runner = h.runner();
        await h.start(runner, ID);
        const r = await h.drive(runner, ID, state);
        assert.equal((await h.keys()).find((k) => k.id === seeded.oldKey.accessKeyId)?.status, 'Inactive');
        await cancel(runner);
        await assertRestored(seeded, true, r.newKeyId);
      });
    }

    it('not in delete: the old key is gone', async () => {
      await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      const r = await h.drive(runner, ID, 'done');
      assert.equal(r.state, 'done');
      const late = await runner.handle(ID, { type: 'cancel', by });
      assert.equal(late.refusal?.code, 'final');
    });
  });

  describe('double events', () => {
    it('two simultaneous approval clicks deactivate once; the second gets a clear answer', async () => {
      await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      const r = await h.drive(runner, ID, 'notify-and-approve');
      h.recorder.clear();
      const event = { type: 'approval-granted' as const, by: APPROVER, approvalId: r.pendingApproval!.id };
      const results = await Promise.all([
        runner.handle(ID, event, { clients: h.clients }),
        runner.handle(ID, event, { clients: h.clients }),
      ]);
      assert.equal(h.recorder.callsOf('UpdateAccessKey').length, 1);
      assert.deepEqual(results.map((x) => x.outcome).sort(), ['applied', 'busy']);
      const later = await runner.handle(ID, event, { clients: h.clients });
      assert.equal(later.outcome, 'refused');
      assert.equal(h.recorder.callsOf('UpdateAccessKey').length, 1);
    });

    it('a Slack retry of "confirm places" (same event id) creates one key and one version per secret', async () => {
      await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      h.recorder.clear();
      const event = {
        type: 'confirm-places' as const,
        by,
        eventId: 'slack-action-1',
        secrets: ['app/deploy', 'ci/deploy-creds'],
        checklist: [],
      };
      const first = await runner.handle(ID, event, { clients: h.clients });
      const retry = await runner.handle(ID, event, { clients: h.clients });
      assert.equal(first.outcome, 'applied');
      assert.equal(retry.outcome, 'duplicate');
      assert.equal(h.recorder.callsOf('CreateAccessKey').length, 1);
      assert.equal(h.recorder.callsOf('PutSecretValue').length, 2);
      assert.equal(await h.versionCount('app/deploy'), 2);
    });

    it('a second start for the same user is refused while the first runs; a retried start is a duplicate', async () => {
      await h.seed();
      const runner = h.runner();
      await h.start(runner, ID);
      assert.equal((await h.start(runner, ID)).outcome, 'duplicate');
      const other = await h.start(runner, 'rot-other');
      assert.equal(other.outcome, 'refused');
      assert.equal(other.refusal?.code, 'already-rotating');
    });
  });
});
