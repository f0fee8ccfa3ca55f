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
