/**
 * `npm run bench`: medians of `--runs` runs against the targets of issues 7 and 13, as a table,
 * and every run as JSON in bench/results/load.json. Each run has:
 *
 * - reveals (issue 13), for each AWS delay in `--aws-delays` (0: moto on loopback; 20: a proxy
 *   adds 20 ms to every AWS call, as an in-region Secrets Manager takes): the time from the
 *   slash command to the value on the person's screen (the window carrying it reached Slack),
 *   beside the direct-SDK floor through the same endpoint, for 1 person (back to back) and for
 *   `--people` people (paced, below).
 * - paced load: `--people` people, each sending `/secret get` (then `/totp`) and, after the
 *   reply, pausing (exponential, mean `--think-ms`) before the next: latency at 100 people who
 *   are all active, below the machine's capacity. The latency targets are read here.
 * - saturation: the same with no pause: every person sends again the moment the reply lands.
 *   That measures throughput (and what latency becomes when the machine is full).
 * - the keys-due report over each of `--users` (a comma list) IAM users with IAM throttled to
 *   `--rate` calls/s: from the credential report and user by user, in the same run.
 * - finding a key's places among each of `--locate-secrets` secrets plus `--locate-parameters`
 *   parameters: by tag and by the full scan, in the same run (bench/locate.ts).
 *
 * Then the single-person latency and the state-store comparison (bench/reveal-latency.ts).
 * Options: --runs 3 --people 100 --requests 5000 --think-ms 1000 --aws-delays 0,20 --single 300
 *          --users 1000,5000 --rate 100
 *          --locate-secrets 1000,10000 --locate-parameters 1000
 *          --skip-load --skip-saturation --skip-keys-due --skip-locate --skip-reveal-latency
 *          --skip-slack-fetch
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type KeysDueRun, runKeysDue } from './keys-due.js';
import { type LoadRun, runLoad } from './load.js';
import { runSlackFetch } from './slack-fetch.js';
import { type LocateRun, runLocate } from './locate.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    people: { type: 'string', default: '100' },
    requests: { type: 'string', default: '5000' },
    'think-ms': { type: 'string', default: '1000' },
    'aws-delays': { type: 'string', default: '0,20' },
    single: { type: 'string', default: '300' },
    users: { type: 'string', default: '1000,5000' },
    rate: { type: 'string', default: '100' },
    'locate-secrets': { type: 'string', default: '1000,10000' },
    'locate-parameters': { type: 'string', default: '1000' },
    'skip-load': { type: 'boolean', default: false },
    'skip-saturation': { type: 'boolean', default: false },
    'skip-keys-due': { type: 'boolean', default: false },
    'skip-locate': { type: 'boolean', default: false },
    'skip-reveal-latency': { type: 'boolean', default: false },
    'skip-slack-fetch': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const people = Number(values.people);
const requests = Number(values.requests);
const thinkMs = Number(values['think-ms']);
const awsDelays = values['aws-delays'].split(',').map(Number);
const singleRequests = Number(values.single);

const userCounts = values.users.split(',').map(Number);
const secretCounts = values['locate-secrets'].split(',').map(Number);
const parameterCount = Number(values['locate-parameters']);
/** Every load run, by AWS delay and people; `paced` is the one at no delay and `--people`. */
const loads: Array<{ delay: number; people: number; run: LoadRun }> = [];
const paced: LoadRun[] = [];
const saturated: LoadRun[] = [];
const keysDue: KeysDueRun[] = [];
const locate: LocateRun[] = [];
for (let i = 1; i <= runs; i++) {
  if (!values['skip-load']) {
    for (const delay of awsDelays) {
      console.error(`run ${i}/${runs}: AWS +${delay} ms: 1 person, ${singleRequests} requests back to back…`);
      loads.push({
        delay,
        people: 1,
        run: await runLoad(1, singleRequests, { thinkMs: 0, awsDelayMs: delay }),
      });
      console.error(
        `run ${i}/${runs}: AWS +${delay} ms: ${people} people, ${requests} requests per command, ${thinkMs} ms between…`,
      );
      const run = await runLoad(people, requests, { thinkMs, awsDelayMs: delay });
      loads.push({ delay, people, run });
      if (delay === 0) paced.push(run);
    }
    if (!values['skip-saturation']) {
      console.error(`run ${i}/${runs}: ${people} people, back to back (saturation)…`);
      saturated.push(await runLoad(people, requests, { thinkMs: 0 }));
    }
  }
  if (!values['skip-keys-due']) {
    for (const users of userCounts) {
      console.error(`run ${i}/${runs}: keys-due, ${users} users, IAM throttled to ${values.rate}/s…`);
      keysDue.push(await runKeysDue(users, Number(values.rate)));
    }
  }
  if (!values['skip-locate']) {
    for (const secrets of secretCounts) {
      console.error(`run ${i}/${runs}: locate among ${secrets} secrets and ${parameterCount} parameters…`);
      locate.push(await runLocate(secrets, parameterCount));
    }
  }
}

type Row = [measure: string, result: string, target: string, met: boolean | undefined];
const f1 = (n: number) => n.toFixed(1);
const p = (pick: (r: LoadRun) => number) => median(paced.map(pick));
const s = (pick: (r: LoadRun) => number) => median(saturated.map(pick));
const peakRss = (r: LoadRun) => Math.max(r.secret.bot_peak_rss_mb, r.totp.bot_peak_rss_mb);

const rows: Row[] = [];
for (const delay of loads.length ? awsDelays : []) {
  for (const n of [1, people]) {
    const of = loads.filter((l) => l.delay === delay && l.people === n).map((l) => l.run);
    if (!of.length) continue;
    const m = (pick: (r: LoadRun) => number) => median(of.map(pick));
    const where = `${n === 1 ? '1 person, back to back' : `${n} people, paced`}, AWS ${delay ? `+${delay} ms` : 'moto on loopback'}`;
    const ratio = m((r) => r.reply_p50_over_floor_p50);
    rows.push(
      [
        `/secret get → value on screen p50 / p99 (${where})`,
        `${f1(m((r) => r.secret.reply_ms.p50))} / ${f1(m((r) => r.secret.reply_ms.p99))} ms; floor ${f1(m((r) => r.floor_ms.p50))} / ${f1(m((r) => r.floor_ms.p99))} ms; ${ratio.toFixed(2)}×`,
        delay >= 20 ? 'p50 ≤ 1.25× floor' : '',
        delay >= 20 ? ratio <= 1.25 : undefined,
      ],
      [
        `/totp → codes on screen p50 / p99 (${where})`,
        `${f1(m((r) => r.totp.reply_ms.p50))} / ${f1(m((r) => r.totp.reply_ms.p99))} ms`,
        '',
        undefined,
      ],
    );
    if (n > 1)
      rows.push([
        `ack p99 /secret · /totp (${where})`,
        `${f1(m((r) => r.secret.ack_ms.p99))} · ${f1(m((r) => r.totp.ack_ms.p99))} ms`,
        'p99 < 50 ms',
        m((r) => r.secret.ack_ms.p99) < 50 && m((r) => r.totp.ack_ms.p99) < 50,
      ]);
  }
}
if (paced.length)
  rows.push(
    [
      `/secret get ack p50 / p99 / max (${people} people, ${thinkMs} ms pauses)`,
      `${f1(p((r) => r.secret.ack_ms.p50))} / ${f1(p((r) => r.secret.ack_ms.p99))} / ${f1(p((r) => r.secret.ack_ms.max))} ms`,
      'p99 < 50 ms',
      p((r) => r.secret.ack_ms.p99) < 50,
    ],
    [
      '/secret get reply p50 / p99',
      `${f1(p((r) => r.secret.reply_ms.p50))} / ${f1(p((r) => r.secret.reply_ms.p99))} ms`,
      '',
      undefined,
    ],
    [
      'direct-SDK floor p50 / p99 (same people, same pauses)',
      `${f1(p((r) => r.floor_ms.p50))} / ${f1(p((r) => r.floor_ms.p99))} ms`,
      '',
      undefined,
    ],
    [
      'reply p50 ÷ floor p50',
      `${p((r) => r.reply_p50_over_floor_p50).toFixed(2)}×`,
      '≤ 1.25×',
      p((r) => r.reply_p50_over_floor_p50) <= 1.25,
    ],
    [
      '/totp ack p99 · reply p50 / p99',
      `${f1(p((r) => r.totp.ack_ms.p99))} · ${f1(p((r) => r.totp.reply_ms.p50))} / ${f1(p((r) => r.totp.reply_ms.p99))} ms`,
      'ack p99 < 50 ms',
      p((r) => r.totp.ack_ms.p99) < 50,
    ],
    [
      'errors',
      `${p((r) => r.secret.errors + r.totp.errors)}`,
      '0',
      p((r) => r.secret.errors + r.totp.errors) === 0,
    ],
    [
      'AssumeRole calls / people (one role each)',
      `${p((r) => r.totp.assume_role_calls)} / ${people}`,
      'equal',
      p((r) => r.totp.assume_role_calls) === people,
    ],
    [
      'bot CPU per /secret get · /totp',
      `${p((r) => r.secret.bot_cpu_ms_per_request).toFixed(2)} · ${p((r) => r.totp.bot_cpu_ms_per_request).toFixed(2)} ms`,
      '',
      undefined,
    ],
    [
      'moto CPU per GetSecretValue: via the bot · direct',
      `${p((r) => r.secret.moto_cpu_ms_per_request).toFixed(2)} · ${p((r) => r.floor_moto_cpu_ms_per_request).toFixed(2)} ms`,
      '',
      undefined,
    ],
    [
      'bot RSS idle · peak (paced)',
      `${p((r) => r.bot_idle_rss_mb).toFixed(0)} · ${p(peakRss).toFixed(0)} MB`,
      '< 120 · < 200 MB',
      p((r) => r.bot_idle_rss_mb) < 120 && p(peakRss) < 200,
    ],
    [
      'start-up (spawn → ready)',
      `${p((r) => r.bot_ready_ms).toFixed(0)} ms`,
      '< 1500 ms',
      p((r) => r.bot_ready_ms) < 1500,
    ],
  );
if (saturated.length) {
  rows.push(
    [
      'saturation: /secret get · /totp · floor throughput',
      `${s((r) => r.secret.requests_per_second).toFixed(0)} · ${s((r) => r.totp.requests_per_second).toFixed(0)} · ${s((r) => r.floor_requests_per_second).toFixed(0)} req/s`,
      '',
      undefined,
    ],
    [
      'saturation: /secret get ack p99 · reply p50 (floor p50)',
      `${f1(s((r) => r.secret.ack_ms.p99))} · ${f1(s((r) => r.secret.reply_ms.p50))} (${f1(s((r) => r.floor_ms.p50))}) ms`,
      '',
      undefined,
    ],
    ['saturation: bot peak RSS', `${s(peakRss).toFixed(0)} MB`, '< 200 MB', s(peakRss) < 200],
  );
}
for (const users of keysDue.length ? userCounts : []) {
  const of = keysDue.filter((r) => r.users === users);
  const kd = (pick: (r: KeysDueRun) => number) => median(of.map(pick));
  rows.push(
    [
      `keys-due, ${users} users: from the credential report`,
      `${kd((r) => r.report_calls)} calls, ${f1(kd((r) => r.report_duration_s))} s, own CPU ${kd((r) => r.report_own_cpu_ms).toFixed(0)} ms`,
      users >= 5000 ? '≤ 3 calls, ≤ 2 s own' : '',
      users >= 5000 ? kd((r) => r.report_calls) <= 3 && kd((r) => r.report_own_cpu_ms) <= 2000 : undefined,
    ],
    [
      `keys-due, ${users} users: user by user, IAM at ${values.rate}/s`,
      `${f1(kd((r) => r.duration_s))} s for ${kd((r) => r.iam_calls)} calls (bound ${f1(kd((r) => r.lower_bound_s))} s, ` +
        `${kd((r) => r.ratio_to_bound).toFixed(3)}×); ${kd((r) => r.throttled_answers)} throttled answers, ${kd((r) => r.failures)} failures`,
      '≤ 1.2×, 0 failures',
      kd((r) => r.ratio_to_bound) <= 1.2 && kd((r) => r.failures) === 0,
    ],
  );
}
const callList = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
for (const secrets of locate.length ? secretCounts : []) {
  const of = locate.filter((r) => r.secrets === secrets);
  const lo = (pick: (r: LocateRun) => number) => median(of.map(pick));
  const last = of.at(-1)!;
  rows.push(
    [
      `locate among ${secrets} secrets + ${parameterCount} parameters: by tag`,
      `${f1(lo((r) => r.indexed.duration_s * 1000))} ms; ${callList(last.indexed.calls)}; ${lo((r) => r.indexed.found)} found`,
      'no value read',
      lo((r) => r.indexed.value_calls) === 0,
    ],
    [
      `locate among ${secrets} secrets + ${parameterCount} parameters: full scan at ${last.calls_per_second} calls/s`,
      `${f1(lo((r) => r.full.duration_s))} s; ${callList(last.full.calls)}; ${lo((r) => r.full.found)} found`,
      `≤ ${Math.ceil(secrets / 20)} secret-value calls`,
      lo((r) => r.full.secret_value_calls) <= Math.ceil(secrets / 20),
    ],
  );
}

console.log(`\nlocksmith benchmarks: medians of ${runs} run(s)\n`);
console.log('| measure | result | target | met |');
console.log('| --- | --- | --- | --- |');
for (const [name, result, target, met] of rows) {
  console.log(`| ${name} | ${result} | ${target} | ${met === undefined ? '' : met ? 'yes' : 'NO'} |`);
}

const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'load.json'),
  JSON.stringify(
    {
      when: new Date().toISOString(),
      runs,
      people,
      requests,
      thinkMs,
      awsDelays,
      loads,
      paced,
      saturated,
      keysDue,
      locate,
      table: rows,
    },
    null,
    2,
  ),
);

if (!values['skip-reveal-latency']) {
  console.log('\nsingle person, sequential, and the state stores (bench/reveal-latency.ts):');
  const single = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'reveal-latency.ts')],
    {
      stdio: 'inherit',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    },
  );
  if (single.status !== 0) process.exitCode = 1;
}

if (!values['skip-slack-fetch']) {
  console.log('\nthe Slack clients’ fetch, per Web API call (bench/slack-fetch.ts):');
  console.log(JSON.stringify(await runSlackFetch(), null, 2));
}
