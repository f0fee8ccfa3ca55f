import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { UserError } from '../../../src/core/errors.js';
import { notice } from '../../../src/slack/block-kit.js';
import {
  type ButtonArgs,
  codec,
  type CommandArgs,
  dm,
  onButton,
  onCommand,
  onView,
  SLACK_LIMITS,
  teamOf,
  tryDm,
  type ViewArgs,
} from '../../../src/slack/interaction-kit.js';

const logger = pino({ level: 'silent' });

/** A recording Web API client and response_url poster; `fail` names the calls that throw. */
function fakeSlack(fail: string[] = []) {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const call = (method: string, result: unknown) => async (args: Record<string, unknown>) => {
    calls.push({ method, args });
    if (fail.includes(method))
      throw Object.assign(new Error(`${method} failed`), {
        code: 'slack_webapi_platform_error',
        data: { error: 'boom' },
      });
    return result;
  };
  const slack = {
    conversations: { open: call('conversations.open', { ok: true, channel: { id: 'D1' } }) },
    chat: {
      postMessage: call('chat.postMessage', { ok: true, ts: '1.2' }),
      postEphemeral: call('chat.postEphemeral', { ok: true }),
    },
  };
  const postToResponseUrl = async (url: string, body: unknown) => {
    calls.push({ method: 'response_url', args: { url, body } });
    if (fail.includes('response_url')) throw new Error('used_url');
  };
  return { calls, deps: { slack: slack as never, logger, postToResponseUrl } };
}

const texts = (calls: { args: Record<string, unknown> }[]) => calls.map((c) => JSON.stringify(c.args));

describe('teamOf', () => {
  it("prefers the user's team, then the payload's team, then team_id", () => {
    assert.equal(teamOf({ user: { team_id: 'T1' }, team: { id: 'T2' } }), 'T1');
    assert.equal(teamOf({ user: {}, team: { id: 'T2' } }), 'T2');
    assert.equal(teamOf({ team: null, team_id: 'T3' }), 'T3');
    assert.equal(teamOf({}), '');
  });
});

describe('dm', () => {
  it('opens the DM and posts there, returning where', async () => {
    const { calls, deps } = fakeSlack();
    const place = await dm(deps, 'U1', notice('hello'));
    assert.deepEqual(place, { channel: 'D1', ts: '1.2' });
    assert.deepEqual(
      calls.map((c) => c.method),
      ['conversations.open', 'chat.postMessage'],
    );
    assert.equal(calls[0]?.args['users'], 'U1');
    assert.equal(calls[1]?.args['channel'], 'D1');
  });

  it('throws what Slack threw; tryDm logs it and returns undefined', async () => {
    const { deps } = fakeSlack(['chat.postMessage']);
    await assert.rejects(dm(deps, 'U1', notice('x')), /chat.postMessage failed/);
    assert.equal(await tryDm(deps, 'U1', notice('x'), 'DM failed'), undefined);
  });
});

describe('codec', () => {
  const ref = codec(z.object({ s: z.string().min(1), r: z.string().optional() }));

  it('round-trips a value and drops keys that are not ours', () => {
    assert.deepEqual(ref.decode(ref.encode({ s: 'a', r: 'b' })), { s: 'a', r: 'b' });
    assert.deepEqual(ref.decode('{"s":"a","x":1}'), { s: 'a' });
  });

  it('refuses malformed text, other shapes and missing text', () => {
    for (const bad of [
      '',
      'not json',
      '[]',
      'null',
      '{"s":""}',
      '{"s":1}',
      '{"s":"a","r":null}',
      undefined,
      null,
    ]) {
      assert.equal(ref.decode(bad), undefined, String(bad));
    }
  });

  it("refuses text over Slack's limit for its place", () => {
    const long = JSON.stringify({ s: 'x'.repeat(SLACK_LIMITS.buttonValue) });
    assert.equal(ref.decode(long), undefined);
    const meta = codec(z.object({ s: z.string() }), SLACK_LIMITS.privateMetadata);
    assert.deepEqual(meta.decode(long), { s: 'x'.repeat(SLACK_LIMITS.buttonValue) });
    assert.equal(meta.decode(JSON.stringify({ s: 'x'.repeat(SLACK_LIMITS.privateMetadata) })), undefined);
  });
});

function commandArgs(order: string[]): CommandArgs {
  return {
    ack: async () => void order.push('ack'),
    command: { response_url: 'https://hooks/x', channel_id: 'C1', user_id: 'U1', team_id: 'T1', text: '' },
  } as unknown as CommandArgs;
}

describe('onCommand', () => {
  it('acks before running, and a UserError becomes its message in the reply', async () => {
    const { calls, deps } = fakeSlack();
    const order: string[] = [];
    const handler = onCommand(deps, '/x', async () => {
      order.push('run');
      throw new UserError('secret_not_found', 'No secret `a`.');
    });
    await handler(commandArgs(order));
    assert.deepEqual(order, ['ack', 'run']);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.method, 'response_url');
    assert.match(texts(calls)[0] ?? '', /No secret `a`\./);
  });

  it('an unexpected error gets an incident reference, never its own text', async () => {
    const { calls, deps } = fakeSlack();
    await onCommand(deps, '/x', async () => {
      throw new Error('AKIA-secret-detail');
    })(commandArgs([]));
    const sent = texts(calls)[0] ?? '';
    assert.match(sent, /ref `[0-9a-f]{8}`/);
    assert.doesNotMatch(sent, /AKIA-secret-detail/);
  });

  it("a value's reply is never re-sent by a fallback: the fallback goes instead", async () => {
    const { calls, deps } = fakeSlack(['response_url']);
    let outcome: string | undefined;
    await onCommand(deps, '/x', async (_args, i) => {
      outcome = await i.reply(notice('the value: hunter2'), { fallback: notice('Run it again.') });
    })(commandArgs([]));
    assert.equal(outcome, 'ephemeral');
    const sent = texts(calls);
    assert.equal(calls[1]?.method, 'chat.postEphemeral');
    assert.doesNotMatch(sent[1] ?? '', /hunter2/);
    assert.match(sent[1] ?? '', /Run it again/);
  });
});

describe('onButton', () => {
  it('answers an error from the App Home (no response_url, no channel) by DM', async () => {
    const { calls, deps } = fakeSlack();
    const order: string[] = [];
    const args = {
      ack: async () => void order.push('ack'),
      body: { user: { id: 'U1' } },
    } as unknown as ButtonArgs;
    await onButton(deps, 'btn', async () => {
      order.push('run');
      throw new UserError('expired', 'This button has expired.');
    })(args);
    assert.deepEqual(order, ['ack', 'run']);
    assert.deepEqual(
      calls.map((c) => c.method),
      ['chat.postMessage'],
    );
    assert.equal(calls[0]?.args['channel'], 'U1');
    assert.match(texts(calls)[0] ?? '', /expired/);
  });
});

describe('onView', () => {
  const viewArgs = (acks: unknown[]) =>
    ({
      ack: async (a?: unknown) => void acks.push(a),
      body: { user: { id: 'U1' } },
      view: {},
    }) as unknown as ViewArgs;

  it('keeps the form open with the check’s errors and does not run', async () => {
    const { calls, deps } = fakeSlack();
    const acks: unknown[] = [];
    let ran = false;
    await onView(deps, 'v', async () => void (ran = true), { check: () => ({ b: 'Say why.' }) })(
      viewArgs(acks),
    );
    assert.deepEqual(acks, [{ response_action: 'errors', errors: { b: 'Say why.' } }]);
    assert.equal(ran, false);
    assert.equal(calls.length, 0);
  });

  it("closes the form, runs, and answers an error in the form's channel", async () => {
    const { calls, deps } = fakeSlack();
    const acks: unknown[] = [];
    await onView(
      deps,
      'v',
      async () => {
        throw new UserError('access_denied', 'Not yours.');
      },
      { check: () => undefined, channel: () => 'C9' },
    )(viewArgs(acks));
    assert.deepEqual(acks, [undefined]);
    assert.equal(calls[0]?.method, 'chat.postEphemeral');
    assert.equal(calls[0]?.args['channel'], 'C9');
    assert.match(texts(calls)[0] ?? '', /Not yours/);
  });
});

/** A recording audit log. */
function auditLog() {
  const events: Record<string, unknown>[] = [];
  return { events, audit: { record: (e: object) => void events.push({ ...e }) } };
}

describe('the kit records the audit event', () => {
  const event = () => ({
    action: 'secret.undo' as const,
    outcome: 'ok' as const,
    person: { slack_id: 'U1' },
  });
  const click = () =>
    ({
      ack: async () => {},
      body: { user: { id: 'U1' }, response_url: 'https://hooks/c' },
    }) as unknown as ButtonArgs;

  it('once, with the outcome ok and a duration, when the listener ends', async () => {
    const { calls, deps } = fakeSlack();
    const { events, audit } = auditLog();
    await onButton({ ...deps, audit }, 'b', async (_args, i) => void (i.event!.note = 'filled in'), {
      audit: event,
    })(click());
    assert.equal(events.length, 1);
    assert.equal(events[0]?.['outcome'], 'ok');
    assert.equal(events[0]?.['note'], 'filled in');
    assert.equal(typeof events[0]?.['duration_ms'], 'number');
    assert.equal(calls.length, 0);
  });

  it("with a thrown error's outcome and code, before the error is answered", async () => {
    const { calls, deps } = fakeSlack();
    const { events, audit } = auditLog();
    const order: string[] = [];
    const logged = { record: (e: object) => (order.push('audit'), audit.record(e)) };
    const tracked = {
      ...deps,
      postToResponseUrl: async (url: string, body: Record<string, unknown>) => {
        order.push('reply');
        await deps.postToResponseUrl(url, body);
      },
    };
    await onButton(
      { ...tracked, audit: logged },
      'b',
      async () => {
        throw new UserError('access_denied', 'Not yours.');
      },
      { audit: event },
    )(click());
    assert.deepEqual(order, ['audit', 'reply']);
    assert.equal(events[0]?.['outcome'], 'denied');
    assert.equal(events[0]?.['reason'], 'access_denied');
    assert.match(texts(calls)[0] ?? '', /Not yours/);
  });

  it("an unexpected error's reason is the incident reference the person is shown", async () => {
    const { calls, deps } = fakeSlack();
    const { events, audit } = auditLog();
    await onButton(
      { ...deps, audit },
      'b',
      async () => {
        throw new Error('boom');
      },
      { audit: event },
    )(click());
    const ref = /ref `([0-9a-f]{8})`/.exec(texts(calls)[0] ?? '')?.[1];
    assert.ok(ref);
    assert.equal(events[0]?.['outcome'], 'error');
    assert.equal(events[0]?.['reason'], `incident:${ref}`);
  });

  it('a listener may declare its event late, answer an error itself, or waive the event', async () => {
    const { calls, deps } = fakeSlack();
    const { events, audit } = auditLog();
    await onButton({ ...deps, audit }, 'b', async (_args, i) => {
      i.audit(event());
      i.fail(new UserError('expired', 'Too late.'));
    })(click());
    await onButton({ ...deps, audit }, 'b', async (_args, i) => i.unaudited(), { audit: event })(click());
    assert.equal(events.length, 1);
    assert.equal(events[0]?.['outcome'], 'refused');
    assert.equal(events[0]?.['reason'], 'expired');
    assert.equal(calls.length, 0);
  });
});

describe("a click's reply stands beside the clicked message", () => {
  it('sends replace_original: false through the response_url; a command does not', async () => {
    const { calls, deps } = fakeSlack();
    const click = {
      ack: async () => {},
      body: { user: { id: 'U1' }, response_url: 'https://hooks/c' },
    } as unknown as ButtonArgs;
    await onButton(deps, 'b', async (_args, i) => void (await i.reply(notice('hi'))))(click);
    await onCommand(deps, '/x', async (_args, i) => void (await i.reply(notice('hi'))))(commandArgs([]));
    const bodies = calls.map((c) => c.args['body'] as Record<string, unknown>);
    assert.equal(bodies[0]?.['replace_original'], false);
    assert.equal(bodies[0]?.['response_type'], 'ephemeral');
    assert.equal('replace_original' in (bodies[1] ?? {}), false);
  });
});

describe('onView with acksItself', () => {
  it('passes the ack to the listener, and acks after it when it did not', async () => {
    const { deps } = fakeSlack();
    const acks: unknown[] = [];
    const args = {
      ack: async (a?: unknown) => void acks.push(a),
      body: { user: { id: 'U1' } },
      view: {},
    } as unknown as ViewArgs;
    await onView(deps, 'v', async ({ ack }) => ack({ response_action: 'clear' }), { acksItself: true })(args);
    await onView(deps, 'v', async () => {}, { acksItself: true })(args);
    assert.deepEqual(acks, [{ response_action: 'clear' }, undefined]);
  });

  it('answers where the listener says the form came from', async () => {
    const { calls, deps } = fakeSlack();
    const args = {
      ack: async () => {},
      body: { user: { id: 'U1' } },
      view: {},
    } as unknown as ViewArgs;
    await onView(deps, 'v', async (_args, i) => {
      i.target.responseUrl = 'https://hooks/form';
      throw new UserError('bad_command', 'Nope.');
    })(args);
    assert.equal(calls[0]?.method, 'response_url');
    assert.equal(calls[0]?.args['url'], 'https://hooks/form');
  });
});
