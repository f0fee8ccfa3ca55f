/**
 * `npm run bench`: the load run (/secret get and /totp by many people, with the direct-SDK
 * floor, start-up time and memory) and the throttled keys-due report, `--runs` times each;
 * medians against the targets of issue 7, as a table, and every run as JSON in bench/results/.
 * Then the single-person latency and state-store comparison (bench/reveal-latency.ts).
 *
 * Options: --runs 3 --people 100 --requests 5000 --users 5000 --rate 100 --skip-keys-due
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type KeysDueRun, runKeysDue } from './keys-due.js';
import { type LoadRun, runLoad } from './load.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    people: { type: 'string', default: '100' },
    requests: { type: 'string', default: '5000' },
    users: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '100' },
    'skip-keys-due': { type: 'boolean', default: false },
    'skip-reveal-latency': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const people = Number(values.people);

const loads: LoadRun[] = [];
const keysDue: KeysDueRun[] = [];
for (let i = 1; i <= runs; i++) {
  console.error(`run ${i}/${runs}: load, ${people} people, ${values.requests} requests per command…`);
  loads.push(await runLoad(people, Number(values.requests)));
  if (!values['skip-keys-due']) {
    console.error(`run ${i}/${runs}: keys-due, ${values.users} users, IAM throttled to ${values.rate}/s…`);
    keysDue.push(await runKeysDue(Number(values.users), Number(values.rate)));
  }
}

const m = (pick: (r: LoadRun) => number) => median(loads.map(pick));
const k = (pick: (r: KeysDueRun) => number) => median(keysDue.map(pick));
const rows: Array<[string, string, string, boolean | undefined]> = [
  [
    '/secret get ack p50 / p99 / max',
    `${m((r) => r.secret.ack_ms.p50).toFixed(1)} / ${m((r) => r.secret.ack_ms.p99).toFixed(1)} / ${m((r) => r.secret.ack_ms.max).toFixed(1)} ms`,
    'p99 < 50 ms',
    m((r) => r.secret.ack_ms.p99) < 50,
  ],
  [
    '/secret get reply p50 / p99',
    `${m((r) => r.secret.reply_ms.p50).toFixed(1)} / ${m((r) => r.secret.reply_ms.p99).toFixed(1)} ms`,
    '',
    undefined,
  ],
  [
    'direct-SDK floor p50 / p99',
    `${m((r) => r.floor_ms.p50).toFixed(1)} / ${m((r) => r.floor_ms.p99).toFixed(1)} ms`,
    '',
    undefined,
  ],
  [
    'reply p50 ÷ floor p50',
    `${m((r) => r.reply_p50_over_floor_p50).toFixed(2)}×`,
    '≤ 1.25×',
    m((r) => r.reply_p50_over_floor_p50) <= 1.25,
  ],
  [
    'bot CPU per /secret get · /totp',
    `${m((r) => r.secret.bot_cpu_ms_per_request).toFixed(2)} · ${m((r) => r.totp.bot_cpu_ms_per_request).toFixed(2)} ms`,
    '',
    undefined,
  ],
  [
    'moto CPU per /secret get · per direct GetSecretValue',
    `${m((r) => r.secret.moto_cpu_ms_per_request).toFixed(2)} · ${m((r) => r.floor_moto_cpu_ms_per_request).toFixed(2)} ms`,
    '',
    undefined,
  ],
  [
    '/secret get throughput (floor)',
    `${m((r) => r.secret.requests_per_second).toFixed(0)} req/s (${m((r) => r.floor_requests_per_second).toFixed(0)})`,
    '',
    undefined,
  ],
  [
    '/totp ack p99 · reply p50 / p99',
    `${m((r) => r.totp.ack_ms.p99).toFixed(1)} · ${m((r) => r.totp.reply_ms.p50).toFixed(1)} / ${m((r) => r.totp.reply_ms.p99).toFixed(1)} ms`,
    'ack p99 < 50 ms',
    m((r) => r.totp.ack_ms.p99) < 50,
  ],
  [
    'errors (secret + totp)',
    `${m((r) => r.secret.errors + r.totp.errors)}`,
    '0',
    m((r) => r.secret.errors + r.totp.errors) === 0,
  ],
  [
    'AssumeRole calls / person-role pairs',
    `${m((r) => r.secret.assume_role_calls + r.totp.assume_role_calls)} / ${people}`,
    'equal',
    m((r) => r.secret.assume_role_calls + r.totp.assume_role_calls) === people,
  ],
  [
    'bot RSS idle · peak under load',
    `${m((r) => r.bot_idle_rss_mb).toFixed(0)} · ${m((r) => Math.max(r.secret.bot_peak_rss_mb, r.totp.bot_peak_rss_mb)).toFixed(0)} MB`,
    '< 120 · < 200 MB',
    m((r) => r.bot_idle_rss_mb) < 120 &&
      m((r) => Math.max(r.secret.bot_peak_rss_mb, r.totp.bot_peak_rss_mb)) < 200,
  ],
  [
    'start-up (spawn → ready)',
    `${m((r) => r.bot_ready_ms).toFixed(0)} ms`,
    '< 1500 ms',
    m((r) => r.bot_ready_ms) < 1500,
  ],
];
if (keysDue.length) {
  rows.push([
    `keys-due, ${values.users} users, IAM at ${values.rate}/s`,
    `${k((r) => r.duration_s).toFixed(1)} s for ${k((r) => r.iam_calls)} calls (bound ${k((r) => r.lower_bound_s).toFixed(1)} s, ${k((r) => r.ratio_to_bound).toFixed(3)}×); ${k((r) => r.throttled_answers)} throttled answers, ${k((r) => r.failures)} failures`,
    '≤ 1.2×, 0 failures',
    k((r) => r.ratio_to_bound) <= 1.2 && k((r) => r.failures) === 0,
  ]);
}

console.log(
  `\nlocksmith benchmarks: medians of ${runs} run(s), ${people} people, ${values.requests} requests per command\n`,
);
console.log('| measure | result | target | met |');
console.log('| --- | --- | --- | --- |');
for (const [name, result, target, met] of rows)
  console.log(`| ${name} | ${result} | ${target} | ${met === undefined ? '' : met ? 'yes' : 'NO'} |`);

const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'load.json'),
  JSON.stringify({ when: new Date().toISOString(), runs, people, loads, keysDue, table: rows }, null, 2),
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
