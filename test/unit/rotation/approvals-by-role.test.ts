import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfigFile } from '../../../src/config.js';
import { rotationConfigByRole, toRotationConfig } from '../../../src/rotation/service/config.js';

const roles = {
  platform: 'arn:aws:iam::111111111111:role/platform',
  sandbox: 'arn:aws:iam::222222222222:role/sandbox',
};
const approvals = { channel: 'C0APPROVALS', approvers: { people: ['U0BOB'] } };

function section(extra: Record<string, unknown>) {
  return parseConfigFile({ roles, approvals, rotation: { notify_channel: 'C0SECONDLINE', ...extra } }, 't')
    .rotation!;
}

describe('rotation approvals per role', () => {
  it('overrides the global approvals field by field for the named role only', () => {
    const s = section({
      approvals: { require_for_delete: false },
      approvals_by_role: { sandbox: { require_for_deactivate: false } },
    });
    assert.deepEqual(toRotationConfig(s).approvals, {
      deleteExtraKey: true,
      deactivate: true,
      delete: false,
    });
    assert.deepEqual(toRotationConfig(s, 'platform').approvals, {
      deleteExtraKey: true,
      deactivate: true,
      delete: false,
    });
    assert.deepEqual(toRotationConfig(s, 'sandbox').approvals, {
      deleteExtraKey: true,
      deactivate: false,
      delete: false,
    });
  });

  it('can require an approval the global setting does not', () => {
    const s = section({
      approvals: {
        require_for_delete_extra: false,
        require_for_deactivate: false,
        require_for_delete: false,
      },
      approvals_by_role: { platform: { require_for_delete: true } },
    });
    assert.deepEqual(toRotationConfig(s, 'platform').approvals, {
      deleteExtraKey: false,
      deactivate: false,
      delete: true,
    });
  });

  it('picks the config by the rotation role, and the global one for other roles', () => {
    const s = section({ approvals_by_role: { sandbox: { require_for_deactivate: false } } });
    const configFor = rotationConfigByRole(s);
    const sandbox = configFor({ role: { name: 'sandbox', arn: roles.sandbox } });
    assert.equal(sandbox.approvals.deactivate, false);
    assert.equal(configFor({ role: { name: 'sandbox', arn: roles.sandbox } }), sandbox, 'made once per role');
    assert.equal(configFor({ role: { name: 'platform', arn: roles.platform } }).approvals.deactivate, true);
    assert.equal(configFor({ role: { name: 'gone', arn: roles.platform } }).approvals.deactivate, true);
    // Everything but the approvals is the same for every role.
    assert.equal(sandbox.quietHours, toRotationConfig(s).quietHours);
  });

  it('refuses an unknown role, and an approval with no approvals section', () => {
    const message = (raw: Record<string, unknown>): string => {
      try {
        parseConfigFile({ roles, ...raw }, 't');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message;
      }
      return '';
    };
    assert.match(
      message({
        approvals,
        rotation: {
          notify_channel: 'C0SECONDLINE',
          approvals_by_role: { nope: { require_for_delete: false } },
        },
      }),
      /approvals_by_role.*nope.*not defined under roles/s,
    );
    assert.match(
      message({
        rotation: {
          notify_channel: 'C0SECONDLINE',
          approvals: {
            require_for_delete_extra: false,
            require_for_deactivate: false,
            require_for_delete: false,
          },
          approvals_by_role: { platform: { require_for_delete: true } },
        },
      }),
      /no `approvals` section/,
    );
    assert.match(
      message({
        approvals,
        rotation: {
          notify_channel: 'C0SECONDLINE',
          approvals_by_role: { platform: { require_for_all: true } },
        },
      }),
      /require_for_all|Unrecognized/i,
    );
  });
});
