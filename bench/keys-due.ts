/**
 * The keys-due report over many IAM users, with IAM throttled the way AWS throttles it: a
 * proxy in front of moto lets through `rate` IAM requests per second (a token bucket holding
 * one second's worth) and answers the rest with IAM's own `Throttling` error. In the same run,
 * against the same moto and proxy, both ways of making it:
 *
 * - from IAM's credential report (GenerateCredentialReport until COMPLETE, GetCredentialReport):
 *   calls, wall time, and locksmith's own time (the CPU the report took in this process:
 *   parsing the CSV and sorting, the SDK included), against issue 16's targets (≤ 3 calls and
 *   ≤ 2 s of own time over 5,000 users);
 * - user by user (ListUsers, ListAccessKeys and GetAccessKeyLastUsed per user and key), the
 *   fallback: its lower bound is (IAM calls it had to make) / rate; it should stay close to that
 *   with no failures, whatever retries it takes.
 *
 * Usage: node --import tsx bench/keys-due.ts [--users 5000] [--rate 100]
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { roleArn, seedAws } from '../devkit/aws-seed.js';
import { MotoServer } from '../devkit/moto.js';
import { buildKeysDueReport } from '../src/keys-due/report.js';

const REGION = 'eu-west-1';

export interface KeysDueRun {
  users: number;
  /** The credential report: IAM calls, wall time, CPU time of this process (own time). */
  report_calls: number;
  report_duration_s: number;
  report_own_cpu_ms: number;
  report_users_seen: number;
  rate_per_second: number;
  iam_calls: number;
  http_requests: number;
  throttled_answers: number;
  sdk_retries: number;
  own_retries: number;
  failures: number;
  duration_s: number;
  lower_bound_s: number;
  ratio_to_bound: number;
}

/** A proxy that throttles IAM requests (by the SigV4 credential scope) to `rate` per second. */
async function startThrottlingProxy(
  target: string,
  rate: number,
): Promise<{ url: string; throttled: () => number; server: Server }> {
  const upstream = new URL(target);
  let tokens = rate;
  let last = performance.now();
  let throttled = 0;
  const server = createServer((req, res) => {
    const isIam = /Credential=[^/]+\/\d+\/[^/]+\/iam\//.test(req.headers.authorization ?? '');
    if (isIam) {
      const now = performance.now();
      tokens = Math.min(rate, tokens + ((now - last) / 1000) * rate);
      last = now;
      if (tokens < 1) {
        throttled++;
        req.resume();
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
            '<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>bench</RequestId></ErrorResponse>',
        );
        return;
      }
      tokens -= 1;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, throttled: () => throttled, server };
}

/** Makes `users` IAM users with one key each, a few at a time. */
async function makeUsers(endpoint: string, users: number): Promise<void> {
  const iam = new IAMClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'x' },
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < users) {
        const name = `svc-${String(next++).padStart(5, '0')}`;
        await iam.send(new CreateUserCommand({ UserName: name }));
        await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      }
    }),
  );
  iam.destroy();
}

export async function runKeysDue(users: number, rate: number): Promise<KeysDueRun> {
  const moto = await MotoServer.start();
  try {
    const seeded = await seedAws(moto.url, {
      roles: [
        {
          name: 'locksmith-reporter',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'iam:GenerateCredentialReport',
                  'iam:GetCredentialReport',
                  'iam:ListUsers',
                  'iam:ListAccessKeys',
                  'iam:GetAccessKeyLastUsed',
                ],
                Resource: '*',
              },
            ],
          },
        },
      ],
      bot: {},
    });
    await makeUsers(moto.url, users);
    const proxy = await startThrottlingProxy(moto.url, rate);
    try {
      const sts = new STSClient({ region: REGION, endpoint: moto.url, credentials: seeded.botCredentials! });
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn('locksmith-reporter'), RoleSessionName: 'bench-keys-due' }),
      );
      sts.destroy();
      // The bot's own client settings: the standard retry mode the client factory uses.
      const iam = new IAMClient({
        region: REGION,
        endpoint: proxy.url,
        credentials: {
          accessKeyId: c!.AccessKeyId!,
          secretAccessKey: c!.SecretAccessKey!,
          sessionToken: c!.SessionToken!,
        },
        maxAttempts: 3,
      });
      // Let the bucket fill, as it would be after a quiet spell.
      await new Promise((r) => setTimeout(r, 1000));
      const cpu0 = process.cpuUsage();
      const reportStarted = performance.now();
      const fromReport = await buildKeysDueReport({
        iam,
        store: { query: async () => [] },
        clock: { now: () => Date.now() },
        options: { maxKeyAgeDays: 90 },
      });
      const reportDuration = (performance.now() - reportStarted) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (fromReport.source.kind !== 'credential-report')
        throw new Error('the credential report was not used');
      await new Promise((r) => setTimeout(r, 1000));
      const started = performance.now();
      const report = await buildKeysDueReport({
        iam,
        store: { query: async () => [] },
        clock: { now: () => Date.now() },
        options: { maxKeyAgeDays: 90, source: 'per-user' },
      });
      const duration = (performance.now() - started) / 1000;
      iam.destroy();
      if (report.counts.users < users) throw new Error(`report saw ${report.counts.users} users of ${users}`);
      const bound = report.calls.calls / rate;
      return {
        users,
        report_calls: fromReport.calls.calls,
        report_duration_s: reportDuration,
        report_own_cpu_ms: (cpu.user + cpu.system) / 1000,
        report_users_seen: fromReport.counts.users,
        rate_per_second: rate,
        iam_calls: report.calls.calls,
        http_requests: report.calls.requests,
        throttled_answers: proxy.throttled(),
        sdk_retries: report.calls.sdkRetries,
        own_retries: report.calls.ownRetries,
        failures: report.counts.failures,
        duration_s: duration,
        lower_bound_s: bound,
        ratio_to_bound: duration / bound,
      };
    } finally {
      proxy.server.close();
      proxy.server.closeAllConnections();
    }
  } finally {
    await moto.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '5000' }, rate: { type: 'string', default: '100' } },
  });
  console.log(JSON.stringify(await runKeysDue(Number(values.users), Number(values.rate)), null, 2));
}
