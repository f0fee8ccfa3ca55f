/**
 * The Slack clients' fetch: a Web API call (`views.open` with a reveal-sized view) through the
 * Web API client, with the bot's fetch (node-http-fetch.ts, over node:http) beside Node's global
 * fetch (undici), against a local server that answers `{"ok":true}` at once. Reports wall time
 * and CPU (this process: client and server) per call. Run: node --import tsx bench/slack-fetch.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import type { View } from '@slack/types';
import { createReadingFetch, readingFetch } from '../src/slack/reading-fetch.js';

export interface FetchBench {
  calls: number;
  /** Per call, ms: wall time, and CPU of this process (client + the local server). */
  node_http: { wall_ms: number; cpu_ms: number };
  global_fetch: { wall_ms: number; cpu_ms: number };
}

export async function runSlackFetch(calls = 2000): Promise<FetchBench> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true,"view":{"id":"V0BENCH"}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  const view = {
    type: 'modal',
    title: { type: 'plain_text', text: 'Secret' },
    blocks: Array.from({ length: 8 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `*field${i}*\n\`\`\`value-${i}-abcdefghijklmnop\`\`\`` },
    })),
  } as View;
  const globalFetch = createReadingFetch(10_000, (input, init) => fetch(input, init));
  const measure = async (f: typeof readingFetch) => {
    const client = new WebClient('xoxb-bench', { slackApiUrl: url, fetch: f, retryConfig: { retries: 0 } });
    for (let i = 0; i < 200; i++) await client.views.open({ trigger_id: 't', view }); // warm-up
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await client.views.open({ trigger_id: 't', view });
    const used = process.cpuUsage(cpu);
    return { wall_ms: (performance.now() - t0) / calls, cpu_ms: (used.user + used.system) / 1000 / calls };
  };
  try {
    // Twice each, alternating; the second of each is reported (warm JIT, warm pools).
    await measure(readingFetch);
    await measure(globalFetch);
    const node_http = await measure(readingFetch);
    const global_fetch = await measure(globalFetch);
    return { calls, node_http, global_fetch };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runSlackFetch(), null, 2));
}
