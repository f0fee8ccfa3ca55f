import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig, parseConfigFile } from '../../../src/config.js';

const ROLE = 'arn:aws:iam::111111111111:role/locksmith-2ndline';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'locksmith-config-')), 'locksmith.yml');
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  const file = configFile(`roles:\n  2ndline: ${ROLE}\n`);

  it('chooses HTTP mode with a signing secret and Socket Mode with an app token', () => {
    const http = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      PORT: '8080',
      LOCKSMITH_CONFIG: file,
    });
    assert.deepEqual(http.transport, { kind: 'http', signingSecret: 's', port: 8080 });
    const socket = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      LOCKSMITH_CONFIG: file,
    });
    assert.deepEqual(socket.transport, { kind: 'socket', appToken: 'xapp-1', healthPort: 3000 });
  });

  it('applies every default', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', LOCKSMITH_CONFIG: file });
    assert.equal(c.reveal.ttl_seconds, 60);
    assert.deepEqual(c.otp.seed_fields, ['2fa-seed']);
    assert.equal(c.store.data_dir, './data');
    assert.equal(c.approvals, undefined);
    assert.equal(c.access.contact, 'the platform team');
  });

  it('says which token to set, in one line', () => {
    assert.match(
      configError(() => loadConfig({ LOCKSMITH_CONFIG: file })),
      /^SLACK_BOT_TOKEN is not set/,
    );
    assert.match(
      configError(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', LOCKSMITH_CONFIG: file })),
      /neither SLACK_APP_TOKEN .* nor SLACK_SIGNING_SECRET/,
    );
  });

  it('refuses tokens of the wrong kind', () => {
    assert.match(
      configError(() =>
        loadConfig({ SLACK_BOT_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 's', LOCKSMITH_CONFIG: file }),
      ),
      /xoxb-/,
    );
    assert.match(
      configError(() =>
        loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2', LOCKSMITH_CONFIG: file }),
      ),
      /xapp-/,
    );
  });

  it('refuses a bad PORT and reports YAML syntax errors with a position', () => {
    assert.match(
      configError(() =>
        loadConfig({
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_SIGNING_SECRET: 's',
          PORT: 'http',
          LOCKSMITH_CONFIG: file,
        }),
      ),
      /PORT="http"/,
    );
    const bad = configFile('roles: [unclosed\n');
    assert.match(
      configError(() =>
        loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', LOCKSMITH_CONFIG: bad }),
      ),
      /:\d+:\d+: not valid YAML/,
    );
  });
});

describe('parseConfigFile', () => {
  it('names every bad field in its own line', () => {
    const message = configError(() =>
      parseConfigFile(
        {
          roles: { ops: 'arn:aws:iam::1:role/x' },
          people: { 'not a person': ['ops'] },
          approvals: { channel: '#approvals', approvers: { people: [], groups: [] } },
        },
        'f.yml',
      ),
    );
    const lines = message.split('\n');
    assert.ok(lines.some((l) => /^f\.yml: roles\.ops: expected an IAM role ARN/.test(l)));
    assert.ok(
      lines.some((l) => /^f\.yml: people\.not a person: keys must be a Slack user ID or an email/.test(l)),
    );
    assert.ok(lines.some((l) => /^f\.yml: approvals\.channel: expected a Slack channel ID/.test(l)));
    assert.ok(lines.some((l) => /^f\.yml: approvals\.approvers: name at least one approver/.test(l)));
  });

  it('refuses roles that are not defined and unknown fields', () => {
    const message = configError(() =>
      parseConfigFile({ roles: { ops: ROLE }, groups: { oncall: ['nope'] }, extra: 1 }, 'f.yml'),
    );
    assert.match(message, /groups\.oncall\[0\]: role "nope" is not defined under roles/);
    assert.match(message, /\(top level\): unknown field\(s\) "extra"/);
  });

  it('bounds every AWS call by default, takes tighter bounds from the file, and refuses nonsense', () => {
    assert.deepEqual(parseConfigFile({ roles: { ops: ROLE } }, 'f.yml').aws, {
      session_duration_seconds: 3600,
      request_timeout_ms: 3000,
      connect_timeout_ms: 1000,
      max_attempts: 3,
    });
    const example = parseYaml(
      readFileSync(join(import.meta.dirname, '../../../locksmith.example.yml'), 'utf8'),
    );
    assert.equal(parseConfigFile(example, 'example').aws.request_timeout_ms, 3000);
    assert.equal(parseConfigFile(example, 'example').slack.api_timeout_ms, 5000);
    const tight = parseConfigFile(
      { roles: { ops: ROLE }, aws: { request_timeout_ms: 200, connect_timeout_ms: 100, max_attempts: 1 } },
      'f.yml',
    ).aws;
    assert.equal(tight.request_timeout_ms, 200);
    assert.equal(tight.max_attempts, 1);
    const message = configError(() =>
      parseConfigFile({ roles: { ops: ROLE }, aws: { request_timeout_ms: 0, max_attempts: 0 } }, 'f.yml'),
    );
    assert.match(message, /f\.yml: aws\.request_timeout_ms: /);
    assert.match(message, /f\.yml: aws\.max_attempts: /);
  });
});

describe('config files that attack the parser', () => {
  const env = (path: string) => ({
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    LOCKSMITH_CONFIG: path,
  });

  /** Eleven levels of ten aliases each: 10^11 nodes if expanded (the "billion laughs"). */
  function aliasBomb(): string {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 11; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('roles: *a11');
    return `${lines.join('\n')}\n`;
  }

  it('refuses a YAML alias bomb with one line, as a config error (exit 2), not a crash', () => {
    const message = configError(() => loadConfig(env(configFile(aliasBomb()))));
    assert.equal(message.split('\n').length, 1);
    assert.match(message, /locksmith\.yml: not valid YAML \(its aliases expand too far/);
  });

  it('still reads a file that reuses a role list through an anchor', () => {
    const path = configFile(
      `roles:\n  2ndline: ${ROLE}\npeople:\n  U0ALICE: &oncall [2ndline]\n  U0BOB: *oncall\n`,
    );
    assert.deepEqual(loadConfig(env(path)).people, { U0ALICE: ['2ndline'], U0BOB: ['2ndline'] });
  });

  it('says so when an alias names no anchor', () => {
    assert.match(
      configError(() => loadConfig(env(configFile('roles: *nothing\n')))),
      /not valid YAML/,
    );
  });
});

describe('guards and their session policy', () => {
  const base = { roles: { '2ndline': ROLE } };
  const approvals = (extra: Record<string, unknown>) => ({
    ...base,
    approvals: { channel: 'C0APPROVALS', approvers: { people: ['U0BOB'] }, ...extra },
  });

  it('accepts globs of secret-name characters and a guard tag', () => {
    const c = parseConfigFile(
      approvals({ guarded_secrets: ['prod/*'], guarded_tag: { key: 'locksmith:guarded', value: 'true' } }),
      't',
    );
    assert.deepEqual(c.approvals?.guarded_tag, { key: 'locksmith:guarded', value: 'true' });
  });

  it('refuses globs IAM could not be given, and guard lists whose session policy STS would refuse', () => {
    assert.match(
      configError(() => parseConfigFile(approvals({ guarded_secrets: ['prod/ä*'] }), 't')),
      /approvals\.guarded_secrets\[0\]: a secret name glob/,
    );
    const many = Array.from({ length: 40 }, (_, i) => `team-${i}/production-database-credentials`);
    assert.match(
      configError(() => parseConfigFile(approvals({ guarded_secrets: many }), 't')),
      /approvals\.guarded_secrets: the guards make a session policy of \d+ characters, and AWS allows 2048/,
    );
  });
});

describe('config errors in an operator’s words (issue 18)', () => {
  const base = { roles: { ops: ROLE } };

  it('a number out of range: the field, what was found, the range and an example', () => {
    const message = configError(() =>
      parseConfigFile({ ...base, aws: { session_duration_seconds: 50000 } }, 'f.yml'),
    );
    assert.equal(
      message,
      'f.yml: aws.session_duration_seconds: 50000 is too big: a whole number of seconds from 900 to 43200, e.g. session_duration_seconds: 3600 (the default)',
    );
    assert.doesNotMatch(message, /Too big|expected number to be/);
  });

  it('the rotation waits below their minimums, and of the wrong type', () => {
    const message = configError(() =>
      parseConfigFile(
        {
          ...base,
          rotation: { notify_channel: 'C0123', poll_minutes: 0, quiet_hours: '24h', grace_days: -1 },
        },
        'f.yml',
      ),
    );
    const lines = message.split('\n');
    assert.ok(
      lines.includes(
        'f.yml: rotation.poll_minutes: 0 is too small: a whole number of minutes from 1 to 1440, e.g. poll_minutes: 15 (the default)',
      ),
      message,
    );
    assert.ok(
      lines.includes(
        'f.yml: rotation.quiet_hours: expected a number, found "24h": a whole number of hours from 1 to 2160, e.g. quiet_hours: 24 (the default)',
      ),
      message,
    );
    assert.ok(
      lines.includes(
        'f.yml: rotation.grace_days: -1 is too small: a whole number of days from 0 to 365, e.g. grace_days: 7 (the default)',
      ),
      message,
    );
  });

  it('an empty file says it is empty and shows the one required section', () => {
    const message = configError(() => parseConfigFile(null, 'f.yml'));
    assert.match(
      message,
      /^f\.yml: the file is empty: it needs at least a roles section, e\.g\.\nroles:\n {2}2ndline: arn:aws:iam::/,
    );
    assert.doesNotMatch(message, /Invalid input|received undefined/);
  });

  it('a missing required field says so, with an example', () => {
    const message = configError(() => parseConfigFile({ ...base, approvals: {} }, 'f.yml'));
    assert.match(message, /^f\.yml: approvals\.channel: missing: expected text, e\.g\. channel: C0123ABCD$/m);
    assert.match(
      message,
      /^f\.yml: approvals\.approvers: missing: expected a map of fields, e\.g\. approvers: \{ groups: \[platform-leads\] \}$/m,
    );
    assert.match(
      configError(() => parseConfigFile({}, 'f.yml')),
      /^f\.yml: roles: missing: expected a map, e\.g\. roles: \{ 2ndline: /,
    );
  });

  it('no raw validator message passes through for any field of the example config', () => {
    // Every number field of the schema, set far out of range, reads in words.
    const wrong = {
      ...base,
      aws: { session_duration_seconds: -1, request_timeout_ms: -1, connect_timeout_ms: -1, max_attempts: 99 },
      reveal: { ttl_seconds: 0 },
      secrets: { list_limit: 1000 },
      slack: { user_cache_seconds: -1, api_timeout_ms: 1 },
      scheduler: { interval_ms: 1 },
      trail: {
        budget_seconds: 0,
        cache_seconds: -1,
        who_days: 0,
        who_shown: 0,
        requests_per_second: 9,
        key_days: 0,
      },
    };
    const message = configError(() => parseConfigFile(wrong, 'f.yml'));
    assert.doesNotMatch(message, /Too (big|small)|Invalid input|expected number to be/);
    for (const line of message.split('\n')) assert.match(line, /, e\.g\. [a-z_]+: [\d.]+/, line);
  });
});
