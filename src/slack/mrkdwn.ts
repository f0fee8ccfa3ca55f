/**
 * The one place mrkdwn is escaped. Slack treats only &, < and > as control characters in
 * mrkdwn; escaping them stops data (a secret name, a value, a description) from pinging
 * @channel or forging a link. Formatting characters (*, _, `) are left alone on purpose:
 * they cannot ping or link, and removing them would change what a person copies.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code for short identifiers built from data, e.g. a secret name. */
export function code(text: string): string {
  return '`' + escapeMrkdwn(text.replace(/`/g, "'")) + '`';
}

/**
 * Slack's date token: renders in the reader's own time zone, with the UTC text as the fallback
 * for clients that can't.
 */
export function slackDate(date: Date, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(date.getTime() / 1000);
  const fallback = date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${seconds}^${format}|${fallback}>`;
}

/**
 * Splits already-escaped mrkdwn into chunks of at most `max` characters without cutting an
 * entity (&amp; &lt; &gt;) in half.
 */
export function splitEscaped(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp !== -1 && amp > cut - 5 && rest.indexOf(';', amp) >= cut) cut = amp;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  chunks.push(rest);
  return chunks;
}
