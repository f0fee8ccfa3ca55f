/**
 * CloudTrail records and LookupEvents output copied from AWS's documentation, unchanged except
 * for JSON syntax AWS's pages get wrong (noted where so). Each names its page.
 */

/**
 * IAM User Guide, "Logging IAM and AWS STS API calls with AWS CloudTrail", "Example IAM API
 * event in CloudTrail log file": an IAM user in the console.
 */
export const IAM_GET_USER_POLICY = {
  eventVersion: '1.05',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDACKCEVSQ6C2EXAMPLE',
    arn: 'arn:aws:iam::444455556666:user/JaneDoe',
    accountId: '444455556666',
    accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    userName: 'JaneDoe',
    sessionContext: {
      attributes: {
        mfaAuthenticated: 'false',
        creationDate: '2014-07-15T21:39:40Z',
      },
    },
    invokedBy: 'signin.amazonaws.com',
  },
  eventTime: '2014-07-15T21:40:14Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'GetUserPolicy',
  awsRegion: 'us-east-2',
  sourceIPAddress: 'signin.amazonaws.com',
  userAgent: 'signin.amazonaws.com',
  requestParameters: {
    userName: 'JaneDoe',
    policyName: 'ReadOnlyAccess-JaneDoe-201407151307',
  },
  responseElements: null,
  requestID: '9EXAMPLE-0c68-11e4-a24e-d5e16EXAMPLE',
  eventID: 'cEXAMPLE-127e-4632-980d-505a4EXAMPLE',
};

/** Same page, "Example cross-account AWS STS API events": an IAM user's AssumeRole from the CLI. */
export const STS_ASSUME_ROLE_BY_IAM_USER = {
  eventVersion: '1.05',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAQRSTUVWXYZEXAMPLE',
    arn: 'arn:aws:iam::777788889999:user/JohnDoe',
    accountId: '777788889999',
    accessKeyId: 'AKIAQRSTUVWXYZEXAMPLE',
    userName: 'JohnDoe',
  },
  eventTime: '2014-07-18T15:07:39Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-2',
  sourceIPAddress: '192.0.2.101',
  userAgent: 'aws-cli/1.11.10 Python/2.7.8 Linux/3.2.45-0.6.wd.865.49.315.metal1.x86_64 botocore/1.4.67',
  requestParameters: {
    roleArn: 'arn:aws:iam::111122223333:role/EC2-dev',
    roleSessionName: 'JohnDoe-EC2-dev',
    sourceIdentity: 'JohnDoe',
    serialNumber: 'arn:aws:iam::777788889999:mfa',
  },
  responseElements: {
    credentials: {
      sessionToken: '<encoded session token blob>',
      accessKeyId: 'AKIAQRSTUVWXYZEXAMPLE',
      expiration: 'Jul 18, 2014 4:07:39 PM',
    },
    assumedRoleUser: {
      assumedRoleId: 'AIDAQRSTUVWXYZEXAMPLE:JohnDoe-EC2-dev',
      arn: 'arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev',
    },
    sourceIdentity: 'JohnDoe',
  },
  resources: [
    {
      ARN: 'arn:aws:iam::111122223333:role/EC2-dev',
      accountId: '111122223333',
      type: 'AWS::IAM::Role',
    },
  ],
  requestID: '4EXAMPLE-0e8d-11e4-96e4-e55c0EXAMPLE',
  sharedEventID: 'bEXAMPLE-efea-4a70-b951-19a88EXAMPLE',
  eventID: 'dEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE',
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
};

/** Same page, "Example AWS STS role chaining API event": a session carrying a SourceIdentity. */
export const STS_ROLE_CHAINING = {
  eventVersion: '1.05',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAIN5ATK5U7KEXAMPLE:JohnRole1',
    arn: 'arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1',
    accountId: '111111111111',
    accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    sessionContext: {
      attributes: {
        mfaAuthenticated: 'false',
        creationDate: '2019-10-02T21:50:54Z',
      },
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAIN5ATK5U7KEXAMPLE',
        arn: 'arn:aws:iam::111111111111:role/JohnRole1',
        accountId: '111111111111',
        userName: 'JohnDoe',
      },
      sourceIdentity: 'JohnDoe',
    },
  },
  eventTime: '2019-10-02T22:12:29Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-2',
  sourceIPAddress: '123.145.67.89',
  userAgent: 'aws-cli/1.16.248 Python/3.4.7 Linux/4.9.184-0.1.ac.235.83.329.metal1.x86_64 botocore/1.12.239',
  requestParameters: {
    incomingTransitiveTags: { Department: 'Engineering' },
    tags: [
      { value: 'johndoe@example.com', key: 'Email' },
      { value: '12345', key: 'CostCenter' },
    ],
    roleArn: 'arn:aws:iam::111111111111:role/JohnRole2',
    roleSessionName: 'Role2WithTags',
    sourceIdentity: 'JohnDoe',
    transitiveTagKeys: ['Email', 'CostCenter'],
    durationSeconds: 3600,
  },
  requestID: 'b96b0e4e-e561-11e9-8b3f-7b396EXAMPLE',
  eventID: '1917948f-3042-46ec-98e2-62865EXAMPLE',
  eventType: 'AwsApiCall',
  recipientAccountId: '111111111111',
};

/**
 * Same page, "Example AWS service AWS STS API event": an assumed role deleting a bucket; the page
 * writes the user agent in brackets.
 */
export const S3_DELETE_BUCKET_BY_ROLE = {
  eventVersion: '1.04',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AIDAQRSTUVWXYZEXAMPLE:devdsk',
    arn: 'arn:aws:sts::777788889999:assumed-role/AssumeNothing/devdsk',
    accountId: '777788889999',
    accessKeyId: 'AKIAQRSTUVWXYZEXAMPLE',
    sessionContext: {
      attributes: { mfaAuthenticated: 'false', creationDate: '2016-11-14T17:25:26Z' },
      sessionIssuer: {
        type: 'Role',
        principalId: 'AIDAQRSTUVWXYZEXAMPLE',
        arn: 'arn:aws:iam::777788889999:role/AssumeNothing',
        accountId: '777788889999',
        userName: 'AssumeNothing',
      },
    },
  },
  eventTime: '2016-11-14T17:25:45Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'DeleteBucket',
  awsRegion: 'us-east-2',
  sourceIPAddress: '192.0.2.1',
  userAgent: '[aws-cli/1.11.10 Python/2.7.8 Linux/3.2.45-0.6.wd.865.49.315.metal1.x86_64 botocore/1.4.67]',
  requestParameters: { bucketName: 'my-test-bucket-cross-account' },
  responseElements: null,
  requestID: 'EXAMPLE463D56D4C',
  eventID: 'dEXAMPLE-265a-41e0-9352-4401bEXAMPLE',
  eventType: 'AwsApiCall',
  recipientAccountId: '777788889999',
};

/**
 * IAM User Guide, "Monitor and control actions taken with assumed roles", "Example userIdentity
 * key in an AWS CloudTrail log" (the page's ARNs have spaces in them, kept as written).
 */
export const SOURCE_IDENTITY_USER_IDENTITY = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAJ45Q7YFFAREXAMPLE: Dev1',
    arn: 'arn: aws: sts: : 123456789012: assumed-role/DevRole/Dev1',
    accountId: '123456789012',
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAJ45Q7YFFAREXAMPLE',
        arn: 'arn: aws: iam: : 123456789012: role/DevRole',
        accountId: '123456789012',
        userName: 'DevRole',
      },
      webIdFederationData: {},
      attributes: {
        mfaAuthenticated: 'false',
        creationDate: '2021-02-21T23: 46: 28Z',
      },
      sourceIdentity: 'source-identity-value-present',
    },
  },
};

/** AWS Secrets Manager User Guide, "Monitor the use of your secrets": a root user's DeleteSecret. */
export const SECRETS_MANAGER_DELETE_SECRET = {
  eventVersion: '1.05',
  userIdentity: {
    type: 'Root',
    principalId: '123456789012',
    arn: 'arn:aws:iam::123456789012:root',
    accountId: '123456789012',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: 'myusername',
    sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '2018-04-03T17:43:50Z' } },
  },
  eventTime: '2018-04-03T17:51:02Z',
  eventSource: 'secretsmanager.amazonaws.com',
  eventName: 'DeleteSecret',
  awsRegion: 'us-west-2',
  requestParameters: { recoveryWindowInDays: 30, secretId: 'MyDatabaseSecret' },
  responseElements: {
    name: 'MyDatabaseSecret',
    deletionDate: 'May 3, 2018 5:51:02 PM',
    aRN: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyDatabaseSecret-a1b2c3',
  },
  requestID: 'EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE',
  eventID: 'EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE',
  eventType: 'AwsApiCall',
  recipientAccountId: '123456789012',
};

/**
 * Same page, the `aws cloudtrail lookup-events` output (the page wraps the CloudTrailEvent string
 * over several lines "for readability"; here it is one string, as the CLI prints it).
 */
export const LOOKUP_EVENTS_OUTPUT = {
  Events: [
    {
      EventId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
      EventName: 'CreateSecret',
      EventTime: 1525106994.0,
      Username: 'Administrator',
      Resources: [],
      CloudTrailEvent:
        '{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","principalId":"AKIAIOSFODNN7EXAMPLE","arn":"arn:aws:iam::123456789012:user/Administrator","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Administrator"},"eventTime":"2018-04-30T16:49:54Z","eventSource":"secretsmanager.amazonaws.com","eventName":"CreateSecret","awsRegion":"us-east-1","sourceIPAddress":"192.168.100.101","userAgent":"<useragent string>","requestParameters":{"name":"MyTestSecret","clientRequestToken":"EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"},"responseElements":null,"requestID":"EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE","eventID":"EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE","eventType":"AwsApiCall","recipientAccountId":"123456789012"}',
    },
  ],
};

/**
 * Amazon CloudFront Developer Guide, "Logging Amazon CloudFront API calls using AWS CloudTrail",
 * "Example: UpdateDistribution": a call from a console session (`sessionCredentialFromConsole`).
 * The distribution's configuration in requestParameters and responseElements is left out here.
 */
export const CLOUDFRONT_UPDATE_FROM_CONSOLE = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AWS_ACCESS_KEY_ID_REDACTED:role-session-name',
    arn: 'arn:aws:sts::111122223333:assumed-role/Admin/role-session-name',
    accountId: '111122223333',
    accessKeyId: 'AWS_ACCESS_KEY_ID_REDACTED',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AWS_ACCESS_KEY_ID_REDACTED',
        arn: 'arn:aws:iam::111122223333:role/Admin',
        accountId: '111122223333',
        userName: 'Admin',
      },
      webIdFederationData: {},
      attributes: { creationDate: '2024-02-02T19:23:50Z', mfaAuthenticated: 'false' },
    },
  },
  eventTime: '2024-02-02T19:26:01Z',
  eventSource: 'cloudfront.amazonaws.com',
  eventName: 'UpdateDistribution',
  awsRegion: 'us-east-1',
  sourceIPAddress: '52.94.133.137',
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
  requestParameters: { id: 'EDFDVBD6EXAMPLE', ifMatch: 'E1RTLUR9YES76O' },
  responseElements: { eTag: 'E1YHBLAB2BJY1G' },
  requestID: '4e6b66f9-d548-11e3-a8a9-73e33example',
  eventID: '5ab02562-0fc5-43d0-b7b6-90293example',
  readOnly: false,
  eventType: 'AwsApiCall',
  apiVersion: '2020_05_31',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
  tlsDetails: {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: 'cloudfront.amazonaws.com',
  },
  sessionCredentialFromConsole: 'true',
};
