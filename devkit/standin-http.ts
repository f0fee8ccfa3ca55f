/**
 * Wire helpers for the Slack stand-in: reading request bodies the way Slack's Web API accepts
 * them (form-encoded with JSON-in-a-string fields, or JSON), and loose value coercion, since a
 * form body turns every boolean and number into a string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Narrows to a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string argument; numbers count too, because form bodies and JSON bodies differ there. */
export function stringArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A boolean argument as Slack reads it: `true`, `"true"` and `"1"` are true. */
export function boolArg(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Reads the whole request body as UTF-8. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Arguments whose form value is a JSON string, and the error Slack gives when it does not parse. */
const JSON_ARGS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

/** Parsed Web API arguments, or the Slack error for a body that could not be read. */
export type ParsedArgs =
  { args: Record<string, unknown>; error?: undefined } | { args?: undefined; error: string };

/**
 * Parses a Web API request body. Query-string arguments are merged in first because Slack
 * accepts arguments there too; JSON-valued fields are decoded so recorded calls hold objects.
 */
export function parseWebApiArgs(
  raw: string,
  contentType: string | undefined,
  query: URLSearchParams,
): ParsedArgs {
  const args: Record<string, unknown> = Object.fromEntries(query.entries());
  if (raw.length > 0) {
    if ((contentType ?? '').includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { error: 'invalid_json' };
      }
      if (!isRecord(parsed)) return { error: 'invalid_json' };
      Object.assign(args, parsed);
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw).entries()));
    }
  }
  for (const [name, error] of Object.entries(JSON_ARGS)) {
    const value = args[name];
    if (typeof value !== 'string') continue;
    try {
      args[name] = JSON.parse(value);
    } catch {
      return { error };
    }
  }
  return { args };
}

/** Sends a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a plain-text body, as Slack's response_url endpoint does (`ok`, `expired_url`, ...). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
