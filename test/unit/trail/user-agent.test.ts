import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyUserAgent, describeAgent } from '../../../src/trail/user-agent.js';

describe('how a call was made, from its user agent', () => {
  const cases: Array<[string | undefined, string]> = [
    // locksmith's own clients: the SDK's agent with locksmith/<version> appended.
    [
      'aws-sdk-js/3.1162.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2 api/secrets-manager#3.1162.0 m/N,E,e locksmith/0.1.0',
      'via locksmith',
    ],
    // CloudTrail User Guide, "CloudTrail record contents", userAgent examples.
    ['signin.amazonaws.com', 'console'],
    ['console.amazonaws.com', 'console'],
    ['lambda.amazonaws.com', 'AWS service (lambda.amazonaws.com)'],
    ['aws-sdk-java', 'SDK (aws-sdk-java)'],
    ['aws-cli/1.3.23 Python/2.7.6 Linux/2.6.18-164.el5', 'CLI (aws-cli/1.3.23)'],
    // IAM User Guide sample, written in brackets.
    [
      '[aws-cli/1.11.10 Python/2.7.8 Linux/3.2.45-0.6.wd.865.49.315.metal1.x86_64 botocore/1.4.67]',
      'CLI (aws-cli/1.11.10)',
    ],
    [
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/secretsmanager.get-secret-value',
      'CLI (aws-cli/2.15.30)',
    ],
    [
      'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8',
      'SDK (Boto3/1.34.0)',
    ],
    [
      'APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0',
      'SDK (Terraform/1.6.6)',
    ],
    [
      'aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux api/sts#1.26.6',
      'SDK (aws-sdk-go-v2/1.24.0)',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'console',
    ],
    ['AWS Internal', 'AWS service (AWS Internal)'],
    ['curl/8.4.0', 'other (curl/8.4.0)'],
    ['', 'unknown agent'],
    [undefined, 'unknown agent'],
  ];
  for (const [agent, expected] of cases) {
    it(`${JSON.stringify(agent)?.slice(0, 60)} is ${expected}`, () => {
      assert.equal(describeAgent(classifyUserAgent(agent)), expected);
    });
  }

  it('keys on locksmith/<version> even when another tool is named too', () => {
    assert.equal(classifyUserAgent('aws-cli/2.15.30 locksmith/1.2.3').via, 'locksmith');
  });
});
