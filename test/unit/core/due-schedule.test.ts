import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigFile } from '../../../src/config.js';
import {
  describeDueSchedule,
  lastDueAt,
  nextDueAt,
  parseDueSchedule,
} from '../../../src/core/due-schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('parseDueSchedule', () => {
  it('reads a daily time and a weekly day + time (UTC)', () => {
    assert.deepEqual(parseDueSchedule('09:00'), { hour: 9, minute: 0 });
    assert.deepEqual(parseDueSchedule('7:05'), { hour: 7, minute: 5 });
    assert.deepEqual(parseDueSchedule('mon 09:30'), { weekday: 1, hour: 9, minute: 30 });
    assert.deepEqual(parseDueSchedule('  Sunday 23:59 '), { weekday: 0, hour: 23, minute: 59 });
    assert.deepEqual(parseDueSchedule('SAT 00:00'), { weekday: 6, hour: 0, minute: 0 });
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '9',
      '24:00',
      '09:60',
      'monday',
      'mo 09:00',
      'mon09:00',
      '0 9 * * 1',
      'funday 09:00',
    ]) {
      assert.throws(() => parseDueSchedule(bad), /expected a UTC time/, bad);
    }
  });
});

describe('lastDueAt / nextDueAt', () => {
  it('daily: today at the time once it has passed, else yesterday', () => {
    const s = parseDueSchedule('09:00');
    assert.equal(lastDueAt(s, at('2024-05-08T10:00:00Z')), at('2024-05-08T09:00:00Z'));
    assert.equal(lastDueAt(s, at('2024-05-08T09:00:00Z')), at('2024-05-08T09:00:00Z'));
    assert.equal(lastDueAt(s, at('2024-05-08T08:59:59Z')), at('2024-05-07T09:00:00Z'));
    assert.equal(nextDueAt(s, at('2024-05-08T10:00:00Z')), at('2024-05-09T09:00:00Z'));
  });

  it('weekly: the latest such weekday at the time', () => {
    const s = parseDueSchedule('mon 09:00'); // 2024-05-06 is a Monday
    assert.equal(lastDueAt(s, at('2024-05-08T10:00:00Z')), at('2024-05-06T09:00:00Z'));
    assert.equal(lastDueAt(s, at('2024-05-06T09:00:00Z')), at('2024-05-06T09:00:00Z'));
    assert.equal(lastDueAt(s, at('2024-05-06T08:00:00Z')), at('2024-04-29T09:00:00Z'));
    assert.equal(lastDueAt(s, at('2024-05-12T23:00:00Z')), at('2024-05-06T09:00:00Z'));
    assert.equal(nextDueAt(s, at('2024-05-08T10:00:00Z')), at('2024-05-13T09:00:00Z'));
  });

  it('describes itself', () => {
    assert.equal(describeDueSchedule(parseDueSchedule('mon 09:00')), 'every Monday at 09:00 UTC');
    assert.equal(describeDueSchedule(parseDueSchedule('7:05')), 'every day at 07:05 UTC');
  });
});

describe('rotation.due_report in the config', () => {
  const base = {
    roles: { ops: 'arn:aws:iam::111111111111:role/ops' },
    rotation: {
      notify_channel: 'C0SECOND',
      approvals: {
        require_for_delete_extra: false,
        require_for_deactivate: false,
        require_for_delete: false,
      },
    },
  };

  it('takes a channel and a schedule, with background_role', () => {
    const cfg = parseConfigFile(
      {
        ...base,
        rotation: {
          ...base.rotation,
          background_role: 'ops',
          due_report: { channel: 'C0REPORT', schedule: 'mon 09:00' },
        },
      },
      'test',
    );
    assert.deepEqual(cfg.rotation?.due_report, { channel: 'C0REPORT', schedule: 'mon 09:00' });
  });

  it('refuses a bad schedule, and a report without background_role', () => {
    assert.throws(
      () =>
        parseConfigFile(
          {
            ...base,
            rotation: {
              ...base.rotation,
              background_role: 'ops',
              due_report: { channel: 'C0REPORT', schedule: 'weekly' },
            },
          },
          'test',
        ),
      /expected a UTC time/,
    );
    assert.throws(
      () =>
        parseConfigFile(
          { ...base, rotation: { ...base.rotation, due_report: { channel: 'C0REPORT', schedule: '09:00' } } },
          'test',
        ),
      /background_role/,
    );
  });
});
