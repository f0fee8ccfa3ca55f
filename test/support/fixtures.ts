/** People, roles and secrets shared by the app tests. Canary values must never leak. */
import { READ_ALL_SECRETS, roleArn, type SeedSpec } from '../../src/devkit/aws-seed.js';
import type { StandinUser, StandinUsergroup } from '../../src/devkit/standin-types.js';

export const CANARY_PASSWORD = 'CANARY-pw-7f3a9c1e';
export const CANARY_TOKEN = 'CANARY-token-b81d44e0';
export const CANARY_SEED = 'JBSWY3DPEHPK3PXPCANARYSEEDAAAAAA';

export const users: StandinUser[] = [
  { id: 'U0ALICE', name: 'alice', email: 'alice@example.com' },
  { id: 'U0BOB', name: 'bob', email: 'bob@example.com' },
  { id: 'U0CAROL', name: 'carol', email: 'carol@example.com' },
  { id: 'U0GUEST', name: 'guest', email: 'guest@partner.example', is_restricted: true },
  { id: 'U0GONE', name: 'gone', email: 'gone@example.com', deleted: true },
  { id: 'U0STRANGER', name: 'stranger', email: 'stranger@example.com' },
];

export const usergroups: StandinUsergroup[] = [
  { id: 'S0ONCALL', handle: 'oncall', name: 'On-call', users: ['U0ALICE'] },
];

export const config = {
  roles: {
    '2ndline': roleArn('locksmith-2ndline'),
    nothing: roleArn('locksmith-nothing'),
    forbidden: roleArn('locksmith-forbidden'),
  },
  people: {
    U0BOB: ['nothing', '2ndline'],
    'carol@example.com': ['forbidden'],
    'guest@partner.example': ['2ndline'],
    U0GONE: ['2ndline'],
  },
  groups: { oncall: ['2ndline'] },
  access: { contact: '#platform-help' },
  reveal: { ttl_seconds: 1 },
};

export const seed: SeedSpec = {
  roles: [
    { name: 'locksmith-2ndline', policy: READ_ALL_SECRETS },
    { name: 'locksmith-nothing' },
    { name: 'locksmith-forbidden', policy: READ_ALL_SECRETS, trustsBot: false },
  ],
  bot: {},
  secrets: [
    {
      name: '2ndline/fastly',
      description: 'Fastly API user for the CDN',
      value: {
        username: 'cdn-bot',
        password: CANARY_PASSWORD,
        token: CANARY_TOKEN,
        '2fa-seed': `otpauth://totp/Fastly:cdn-bot?secret=${CANARY_SEED}&issuer=Fastly`,
      },
    },
    { name: '2ndline/plain', value: `plain-${CANARY_PASSWORD}` },
    { name: '2ndline/binary', value: new Uint8Array([0, 1, 2, 255]) },
    { name: 'prod/db', value: { password: CANARY_PASSWORD } },
  ],
};
