/** People, roles and secrets shared by the app tests. Canary values must never leak. */
import { READ_ALL_SECRETS, roleArn, type SeedSpec } from '../../devkit/aws-seed.js';
import type { PolicyDocument } from '../../devkit/aws-seed.js';
import type { StandinUser, StandinUsergroup } from '../../devkit/standin-types.js';

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

/**
 * 2FA seeds for the /totp tests, each a canary: no seed may appear in any Slack call or log line.
 * All are valid base32 except CANARY_BAD_SEED, whose 7th character ('1') is not.
 */
export const OTP_SEEDS = {
  github: 'GITHUBCANARYSEEDQQQQ2222QQQQ3333',
  aws: 'AWSROOTCANARYSEEDRRRR4444RRRR555',
  okta: 'OKTACANARYSEEDSSSS6666SSSS7777SS',
  bare: 'BARE CANA RYSE EDTT TT22 22TT TT33 3333',
  fast: 'FASTCANARYSEEDUUUU4444UUUU5555UU',
  hotp: 'HOTPCANARYSEEDVVVV6666VVVV7777VV',
  md5: 'MDFIVECANARYSEEDWWWW2222WWWW3333',
  digits: 'DIGITSCANARYSEEDXXXX4444XXXX5555',
  malformed: 'MALFORMEDCANARYSEEDYYYY6666YYYY7',
} as const;
export const CANARY_BAD_SEED = 'CANARY1BAD890SEEDZZZZ';

/** `seed` plus the secrets the /totp tests read. The /secret tests keep using `seed` as it is. */
export const otpSeed: SeedSpec = {
  ...seed,
  secrets: [
    ...(seed.secrets ?? []),
    {
      name: '2ndline/multi',
      description: 'Two 2FA seeds as otpauth URIs, no 2fa-seed field',
      value: {
        username: 'ops',
        github: `otpauth://totp/GitHub:ops?secret=${OTP_SEEDS.github}&issuer=GitHub`,
        aws: `otpauth://totp/AWS:root?secret=${OTP_SEEDS.aws}`,
      },
    },
    {
      name: '2ndline/okta-uri',
      value: `otpauth://totp/Okta:ops%40example.com?secret=${OTP_SEEDS.okta}&issuer=Okta&algorithm=SHA256&digits=8`,
    },
    { name: '2ndline/bare', value: { user: 'ops', '2fa-seed': OTP_SEEDS.bare } },
    {
      name: '2ndline/fast',
      value: { '2fa-seed': `otpauth://totp/Fast:ops?secret=${OTP_SEEDS.fast}&period=1` },
    },
    { name: '2ndline/bad-base32', value: { '2fa-seed': `otpauth://totp/Bad:ops?secret=${CANARY_BAD_SEED}` } },
    {
      name: '2ndline/hotp',
      value: { '2fa-seed': `otpauth://hotp/Hotp:ops?secret=${OTP_SEEDS.hotp}&counter=3` },
    },
    {
      name: '2ndline/md5',
      value: { '2fa-seed': `otpauth://totp/Md5:ops?secret=${OTP_SEEDS.md5}&algorithm=MD5` },
    },
    {
      name: '2ndline/ten-digits',
      value: { '2fa-seed': `otpauth://totp/Ten:ops?secret=${OTP_SEEDS.digits}&digits=10` },
    },
    { name: '2ndline/malformed', value: { '2fa-seed': `otpauth:/totp/x?secret=${OTP_SEEDS.malformed}` } },
  ],
};

/** Canary values the /secret edit tests type into the form: they may reach AWS and nothing else. */
export const CANARY_NEW_PASSWORD = 'CANARY-newpw-5d2e91ab';
export const CANARY_NEW_FIELD = 'CANARY-newfield-0c7f33de';
export const CANARY_NEW_PLAIN = 'CANARY-newplain-9a41b6c2';

/**
 * A role that may change secrets as well as read them (moto honours only Resource "*").
 * ListSecretVersionIds is there for the tests, which count versions under this role.
 */
export const EDIT_SECRETS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecrets',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:BatchGetSecretValue',
        'secretsmanager:TagResource',
        'ssm:DescribeParameters',
        'ssm:GetParametersByPath',
        'ssm:GetParameter',
        'ssm:GetParameterHistory',
        'ssm:PutParameter',
        'ssm:AddTagsToResource',
      ],
      Resource: '*',
    },
  ],
};

/** `config` plus an `editor` role: alice's default; bob and carol may read but not write. */
export const editConfig = {
  ...config,
  roles: { ...config.roles, editor: roleArn('locksmith-editor') },
  people: { ...config.people, U0ALICE: ['editor'], U0DAVE: ['editor'] },
};

/** `seed` plus the editor role and the secrets the /secret edit tests change. */
export const editSeed: SeedSpec = {
  ...seed,
  roles: [...(seed.roles ?? []), { name: 'locksmith-editor', policy: EDIT_SECRETS }],
  secrets: [
    ...(seed.secrets ?? []),
    { name: 'edit/app', value: { username: 'app', password: CANARY_PASSWORD, port: 5432 } },
    { name: 'edit/plain', value: `plain-${CANARY_PASSWORD}` },
    { name: 'edit/array', value: '["a","b"]' },
    { name: 'edit/seeded', value: { user: 'ops', '2fa-seed': CANARY_SEED } },
  ],
};

/**
 * A role that may rotate access keys: read and change the keys of IAM users, and find and
 * update the secrets that hold them (moto honours only Resource "*" outside IAM).
 */
export const ROTATE_KEYS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'iam:ListUsers',
        'iam:GenerateCredentialReport',
        'iam:GetCredentialReport',
        'iam:ListAccessKeys',
        'iam:GetAccessKeyLastUsed',
        'iam:CreateAccessKey',
        'iam:UpdateAccessKey',
        'iam:DeleteAccessKey',
        'secretsmanager:ListSecrets',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:BatchGetSecretValue',
        'secretsmanager:TagResource',
        'ssm:DescribeParameters',
        'ssm:GetParametersByPath',
        'ssm:GetParameter',
        'ssm:GetParameterHistory',
        'ssm:PutParameter',
        'ssm:AddTagsToResource',
      ],
      Resource: '*',
    },
  ],
};
