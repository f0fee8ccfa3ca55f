/**
 * The sandbox page: a small Slack client. It shows what the Slack stand-in holds for the
 * chosen person (channel messages, their own ephemeral messages, their modal and Home tab),
 * rendered from the bot's Block Kit, and turns clicks, selections and form submissions into
 * the same interaction payloads Slack would send (through the sandbox server's API). Updates
 * arrive over server-sent events. Runs in the browser; compiled with tsconfig.web.json.
 */
import { escapeHtml, mrkdwnToHtml, plainTextToHtml } from './mrkdwn.js';
import { type RenderContext, renderMessage, renderView } from './render-blocks.js';

interface PageMessage {
  ts: string;
  threadTs?: string;
  user: string;
  bot: boolean;
  ephemeral: boolean;
  text?: string;
  blocks?: unknown[];
  edited: boolean;
}

interface PageState {
  me: string;
  botUserId: string;
  now: number;
  offsetMs: number;
  people: Array<{ id: string; name: string; realName: string; about: string }>;
  users: Record<string, string>;
  channelNames: Record<string, string>;
  conversations: Array<{ id: string; name: string; kind: 'channel' | 'app' }>;
  conversation: string;
  messages: PageMessage[];
  modal: { id: string; view: Record<string, unknown> } | null;
  home: { id: string; view: Record<string, unknown> } | null;
  commands: Array<{ command: string; description: string; usageHint: string }>;
}

interface ConsoleKey {
  accessKeyId: string;
  status: string;
  createdAt: string;
  ageDays: number;
  lastUsedAt?: string;
  lastUsedService?: string;
  usable: boolean;
}

interface ConsoleSnapshot {
  users: Array<{ name: string; about: string; keys: ConsoleKey[] }>;
  secrets: Array<{
    name: string;
    versions: Array<{ id: string; stages: string[]; createdAt?: string; keyIds: string[] }>;
  }>;
}

type Option = Record<string, unknown>;

/** The fields of an audit event the log panel shows (src/audit/audit-events.ts). */
interface AuditLine {
  action?: string;
  outcome?: string;
  person?: { slack_id?: string };
  role?: { name?: string };
  target?: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: #${id} is missing`);
  return el as T;
};

const page = {
  as: localStorage.getItem('sandbox.as') ?? '',
  conv: localStorage.getItem('sandbox.conv') ?? '',
  tab: 'messages' as 'messages' | 'home',
  state: undefined as PageState | undefined,
  shownModal: '',
};

const ctx: RenderContext = {
  userName: (id) => page.state?.users[id],
  channelName: (id) => page.state?.channelNames[id],
};

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json as T;
}

function toast(message: string, kind: 'error' | 'info' = 'error'): void {
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  el.setAttribute('role', 'alert');
  el.textContent = message;
  $('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

/** Runs a page action; a failure becomes a toast instead of an unhandled rejection. */
function attempt(work: () => Promise<unknown>): void {
  work().catch((err: Error) => toast(err.message));
}

/**
 * Replaces an element's content only when it changed: rebuilding identical markup under the
 * pointer would swallow a click in progress and reset a select someone is using.
 */
function setHtml(el: HTMLElement, html: string): void {
  if (el.dataset['html'] === html) return;
  el.dataset['html'] = html;
  el.innerHTML = html;
}

/** "2 hours ago", "3 days ago", "just now": from the sandbox's clock, so it follows +1 day. */
function ago(ms: number): string {
  const now = page.state?.now ?? Date.now();
  const minutes = Math.floor(Math.max(0, now - ms) / 60_000);
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (minutes < 1) return 'just now';
  if (minutes < 60) return count(minutes, 'minute');
  if (minutes < 48 * 60) return count(Math.floor(minutes / 60), 'hour');
  return count(Math.floor(minutes / 1440), 'day');
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** A message's time; with the date when it is not today's (the clock may have jumped days). */
function tsTime(ts: string): string {
  const at = new Date(Number(ts.split('.')[0]) * 1000).toISOString();
  const today = new Date(page.state?.now ?? Date.now()).toISOString().slice(0, 10);
  return at.slice(0, 10) === today ? at.slice(11, 16) : `${at.slice(5, 10)} ${at.slice(11, 16)}`;
}

// ---------------------------------------------------------------- state and rendering

async function refresh(): Promise<void> {
  const query = new URLSearchParams({ as: page.as, conv: page.conv });
  const state = await api<PageState>('GET', `/api/state?${query.toString()}`);
  page.state = state;
  page.as = state.me;
  page.conv = state.conversation;
  localStorage.setItem('sandbox.as', page.as);
  localStorage.setItem('sandbox.conv', page.conv);
  renderSidebar(state);
  renderConversation(state);
  renderModal(state);
  $('clock-now').textContent =
    `${formatTime(state.now)}${state.offsetMs > 0 ? ` (real time + ${Math.round(state.offsetMs / 3_600_000)} h)` : ''}`;
}

function renderSidebar(state: PageState): void {
  const who = $<HTMLSelectElement>('who');
  setHtml(
    who,
    state.people
      .map(
        (p) =>
          `<option value="${escapeHtml(p.id)}"${p.id === state.me ? ' selected' : ''}>${escapeHtml(p.realName)}</option>`,
      )
      .join(''),
  );
  $('who-about').textContent = state.people.find((p) => p.id === state.me)?.about ?? '';
  const item = (c: PageState['conversations'][number]) =>
    `<li><a href="#" data-conv="${escapeHtml(c.id)}" class="${c.id === state.conversation ? 'active' : ''}">${c.kind === 'channel' ? '#' : ''}${escapeHtml(c.name)}</a></li>`;
  setHtml(
    $('channels'),
    state.conversations
      .filter((c) => c.kind === 'channel')
      .map(item)
      .join(''),
  );
  setHtml(
    $('apps'),
    state.conversations
      .filter((c) => c.kind === 'app')
      .map(item)
      .join(''),
  );
}

function renderConversation(state: PageState): void {
  const conv = state.conversations.find((c) => c.id === state.conversation);
  const isApp = conv?.kind === 'app';
  if (!isApp) page.tab = 'messages';
  $('conv-title').textContent = conv ? `${conv.kind === 'channel' ? '#' : ''}${conv.name}` : '';
  $('app-tabs').hidden = !isApp;
  for (const b of $('app-tabs').querySelectorAll<HTMLButtonElement>('button'))
    b.classList.toggle('active', b.dataset['tab'] === page.tab);
  const showHome = isApp && page.tab === 'home';
  $('home').hidden = !showHome;
  $('messages').hidden = showHome;
  $('composer-input').setAttribute(
    'placeholder',
    isApp
      ? 'Commands only, such as /secret help (the app does not read messages)'
      : `Message #${conv?.name ?? ''}, or a command such as /secret help`,
  );
  if (showHome) {
    setHtml(
      $('home'),
      state.home
        ? `<div class="bk-view" data-view-id="${escapeHtml(state.home.id)}">${renderView(state.home.view, ctx)}</div>`
        : '<p class="muted">Opening the Home tab…</p>',
    );
    return;
  }
  const top = state.messages.filter((m) => m.threadTs === undefined || m.threadTs === m.ts);
  const replies = (ts: string) => state.messages.filter((m) => m.threadTs === ts && m.ts !== ts);
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const html =
    top
      .map((m) => {
        const thread = replies(m.ts);
        return (
          messageHtml(m, state) +
          (thread.length
            ? `<div class="thread"><div class="muted">${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}</div>${thread.map((r) => messageHtml(r, state)).join('')}</div>`
            : '')
        );
      })
      .join('') || '<p class="muted empty">No messages yet. Type a command below.</p>';
  setHtml(list, html);
  if (atBottom || list.dataset['shownConv'] !== state.conversation) list.scrollTop = list.scrollHeight;
  list.dataset['shownConv'] = state.conversation;
}

function messageHtml(m: PageMessage, state: PageState): string {
  const author = state.users[m.user] ?? m.user;
  return `<div class="msg${m.ephemeral ? ' ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}" data-channel="${escapeHtml(state.conversation)}">
    <div class="msg-head"><strong>${escapeHtml(author)}</strong>${m.bot ? ' <span class="badge">APP</span>' : ''}
      <span class="muted">${tsTime(m.ts)}</span>${m.edited ? ' <span class="muted">(edited)</span>' : ''}</div>
    ${m.ephemeral ? '<div class="only-you">Only visible to you</div>' : ''}
    <div class="msg-body">${renderMessage({ ...(m.text !== undefined ? { text: m.text } : {}), ...(m.blocks ? { blocks: m.blocks } : {}) }, ctx)}</div>
  </div>`;
}

function renderModal(state: PageState): void {
  const layer = $('modal-layer');
  if (!state.modal) {
    layer.hidden = true;
    layer.innerHTML = '';
    page.shownModal = '';
    return;
  }
  // Re-rendering an unchanged modal would wipe what the person typed.
  const key = `${state.modal.id}:${JSON.stringify(state.modal.view)}`;
  if (key === page.shownModal) return;
  page.shownModal = key;
  layer.innerHTML = `<div class="modal" role="dialog" aria-modal="true" data-view-id="${escapeHtml(state.modal.id)}">${renderView(state.modal.view, ctx)}</div>`;
  layer.hidden = false;
}

async function refreshAws(): Promise<void> {
  const snapshot = await api<ConsoleSnapshot>('GET', '/api/aws');
  setHtml(
    $('aws-users'),
    snapshot.users
      .map(
        (
          u,
        ) => `<div class="aws-user"><div><strong>${escapeHtml(u.name)}</strong> <span class="muted">${escapeHtml(u.about)}</span></div>
      ${u.keys.length === 0 ? '<div class="muted">no keys</div>' : ''}
      ${u.keys
        .map(
          (k) => `<div class="aws-key" data-key="${escapeHtml(k.accessKeyId)}">
            <code>${escapeHtml(k.accessKeyId)}</code> <span class="status status-${escapeHtml(k.status.toLowerCase())}">${escapeHtml(k.status)}</span>
            <span class="muted key-note">${k.ageDays} ${k.ageDays === 1 ? 'day' : 'days'} old · ${k.lastUsedAt ? `<span title="${escapeHtml(formatTime(Date.parse(k.lastUsedAt)))}">used ${escapeHtml(ago(Date.parse(k.lastUsedAt)))}</span>` : 'never used'}</span>
            ${k.usable ? `<button type="button" class="use-key" data-use-key="${escapeHtml(k.accessKeyId)}">Use key</button>` : ''}
          </div>`,
        )
        .join('')}</div>`,
      )
      .join(''),
  );
  setHtml(
    $('aws-secrets'),
    snapshot.secrets
      .map(
        (
          s,
        ) => `<div class="aws-secret" data-secret="${escapeHtml(s.name)}"><strong>${escapeHtml(s.name)}</strong>
      ${s.versions
        .map(
          (
            v,
          ) => `<div class="aws-version muted"><code>${escapeHtml(v.id.slice(0, 8))}</code> ${v.stages.map((st) => `<span class="stage">${escapeHtml(st)}</span>`).join(' ')}
            ${v.createdAt ? escapeHtml(formatTime(Date.parse(v.createdAt))) : ''} ${v.keyIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}</div>`,
        )
        .join('')}</div>`,
      )
      .join(''),
  );
}

async function refreshLog(): Promise<void> {
  const { lines } = await api<{ lines: string[] }>('GET', '/api/log');
  const shown = lines
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { time?: string; audit?: AuditLine };
        const audit = entry.audit;
        if (!audit) return undefined;
        const who = page.state?.users[audit.person?.slack_id ?? ''] ?? audit.person?.slack_id ?? '';
        return [
          String(entry.time ?? '').slice(11, 19),
          audit.action,
          audit.outcome,
          who,
          audit.role?.name,
          audit.target,
        ]
          .filter((x) => x !== undefined && x !== '')
          .join('  ');
      } catch {
        return undefined;
      }
    })
    .filter((l): l is string => l !== undefined)
    .slice(-40);
  $('log').textContent = shown.join('\n') || '(no audit events yet)';
}

// ---------------------------------------------------------------- Slack-side actions

function optionOf(el: Element | null | undefined): Option | undefined {
  const raw = el?.getAttribute('data-option');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Option;
  } catch {
    return undefined;
  }
}

/** `state.values` of a view as Slack builds it from the inputs' current values. */
function viewState(root: Element): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const el of root.querySelectorAll<HTMLElement>('[data-type][data-action-id]')) {
    const type = el.dataset['type'] ?? '';
    const blockId = el.dataset['blockId'] ?? '';
    const actionId = el.dataset['actionId'] ?? '';
    let value: Record<string, unknown> | undefined;
    if (type === 'plain_text_input') {
      const text = (el as HTMLInputElement | HTMLTextAreaElement).value;
      value = { type, value: text === '' ? null : text };
    } else if (type === 'static_select' || type === 'external_select') {
      const select = el instanceof HTMLSelectElement ? el : el.querySelector('select');
      value = { type, selected_option: optionOf(select?.selectedOptions[0]) ?? null };
    } else if (type === 'multi_static_select') {
      const select = el as HTMLSelectElement;
      value = { type, selected_options: [...select.selectedOptions].map(optionOf).filter(Boolean) };
    } else if (type === 'checkboxes') {
      const checked = [...el.querySelectorAll('input:checked')].map(optionOf).filter(Boolean);
      value = { type, selected_options: checked };
    } else if (type === 'radio_buttons') {
      value = { type, selected_option: optionOf(el.querySelector('input:checked')) ?? null };
    }
    if (value) (values[blockId] ??= {})[actionId] = value;
  }
  return values;
}

interface ConfirmObject {
  title?: { text?: string };
  text?: { type?: string; text?: string };
  confirm?: { text?: string };
  deny?: { text?: string };
  style?: string;
}

/** Slack's "are you sure?" dialog for elements with a `confirm` object. */
function confirmFirst(raw: string | undefined): Promise<boolean> {
  if (!raw) return Promise.resolve(true);
  let confirm: ConfirmObject;
  try {
    confirm = JSON.parse(raw) as ConfirmObject;
  } catch {
    return Promise.resolve(true);
  }
  const layer = $('confirm-layer');
  const text =
    confirm.text?.type === 'mrkdwn'
      ? mrkdwnToHtml(confirm.text.text ?? '', ctx)
      : plainTextToHtml(confirm.text?.text ?? '');
  layer.innerHTML = `<div class="modal confirm" role="alertdialog">
    <div class="bk-modal-title">${plainTextToHtml(confirm.title?.text ?? 'Are you sure?')}</div>
    <div class="confirm-text">${text}</div>
    <div class="bk-modal-buttons">
      <button type="button" class="confirm-deny">${plainTextToHtml(confirm.deny?.text ?? 'Cancel')}</button>
      <button type="button" class="confirm-ok bk-button ${confirm.style === 'danger' ? 'bk-danger' : 'bk-primary'}">${plainTextToHtml(confirm.confirm?.text ?? 'Yes')}</button>
    </div></div>`;
  layer.hidden = false;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      layer.hidden = true;
      layer.innerHTML = '';
      resolve(ok);
    };
    layer.querySelector('.confirm-ok')?.addEventListener('click', () => done(true));
    layer.querySelector('.confirm-deny')?.addEventListener('click', () => done(false));
  });
}

/** An element in a message or a view was used: send Slack's block_actions for it. */
async function sendAction(el: HTMLElement, extra: Record<string, unknown>): Promise<void> {
  const view = el.closest<HTMLElement>('[data-view-id]');
  const message = el.closest<HTMLElement>('.msg');
  const body: Record<string, unknown> = {
    as: page.as,
    actionId: el.dataset['actionId'],
    blockId: el.dataset['blockId'] ?? '',
    actionType: el.dataset['type'],
    ...extra,
  };
  if (view) {
    body['viewId'] = view.dataset['viewId'];
    body['values'] = viewState(view);
  } else if (message) {
    body['channel'] = message.dataset['channel'];
    body['ts'] = message.dataset['ts'];
  } else return;
  await api('POST', '/api/action', body);
}

function onClick(event: MouseEvent): void {
  const target = event.target as HTMLElement;
  const conv = target.closest<HTMLElement>('[data-conv]');
  if (conv) {
    event.preventDefault();
    page.conv = conv.dataset['conv'] ?? '';
    page.tab = 'messages';
    attempt(refresh);
    return;
  }
  const tab = target.closest<HTMLElement>('[data-tab]');
  if (tab) {
    page.tab = tab.dataset['tab'] === 'home' ? 'home' : 'messages';
    attempt(async () => {
      if (page.tab === 'home') await api('POST', '/api/home', { as: page.as });
      await refresh();
    });
    return;
  }
  const advance = target.closest<HTMLElement>('[data-advance]');
  if (advance) {
    attempt(async () => {
      advance.setAttribute('disabled', '');
      try {
        await api('POST', '/api/clock', { advanceMs: Number(advance.dataset['advance']) });
        await refresh();
        // Ages and "used … ago" are measured on the sandbox's clock: show them at the new time.
        await refreshAws();
      } finally {
        advance.removeAttribute('disabled');
      }
    });
    return;
  }
  const use = target.closest<HTMLElement>('[data-use-key]');
  if (use) {
    attempt(async () => {
      const { arn } = await api<{ arn: string }>('POST', '/api/use-key', {
        accessKeyId: use.dataset['useKey'],
      });
      toast(`Called AWS with ${use.dataset['useKey']} as ${arn}`, 'info');
    });
    return;
  }
  if (target.closest('.bk-modal-close')) {
    const view = target.closest<HTMLElement>('[data-view-id]');
    attempt(() => api('POST', '/api/close', { as: page.as, viewId: view?.dataset['viewId'] }));
    return;
  }
  if (target.closest('.bk-modal-submit')) {
    const view = target.closest<HTMLElement>('[data-view-id]');
    if (view) attempt(() => submitModal(view));
    return;
  }
  const button = target.closest<HTMLElement>('button[data-action-id]');
  if (button) {
    attempt(async () => {
      if (!(await confirmFirst(button.dataset['confirm']))) return;
      await sendAction(
        button,
        button.dataset['value'] !== undefined ? { value: button.dataset['value'] } : {},
      );
    });
  }
}

function onChange(event: Event): void {
  const el = event.target as HTMLElement;
  // Inputs in an input block are read at submit time; Slack sends nothing when they change.
  if (el.closest('.bk-input')) return;
  const holder = el.closest<HTMLElement>('[data-type][data-action-id]');
  if (!holder) return;
  const type = holder.dataset['type'];
  if (type === 'static_select' || type === 'overflow' || type === 'external_select') {
    const select = el as HTMLSelectElement;
    const option = optionOf(select.selectedOptions[0]);
    if (!option) return;
    attempt(() =>
      sendAction(holder, type === 'overflow' ? { selectedOption: option } : { selectedOption: option }),
    );
  } else if (type === 'checkboxes' || type === 'multi_static_select') {
    const selected =
      type === 'checkboxes'
        ? [...holder.querySelectorAll('input:checked')].map(optionOf).filter(Boolean)
        : [...(el as HTMLSelectElement).selectedOptions].map(optionOf).filter(Boolean);
    attempt(() => sendAction(holder, { selectedOptions: selected }));
  } else if (type === 'radio_buttons') {
    const option = optionOf(holder.querySelector('input:checked'));
    if (option) attempt(() => sendAction(holder, { selectedOption: option }));
  }
}

const suggestTimers = new WeakMap<HTMLElement, number>();

/** An external select's search box: ask the bot for options (block_suggestion) as Slack does. */
function onInput(event: Event): void {
  const query = event.target as HTMLInputElement;
  if (query.classList.contains('bk-external-query')) suggest(query, 200);
}

/** A menu whose min_query_length is 0 is filled as soon as it is opened, as in Slack. */
function onFocus(event: FocusEvent): void {
  const query = event.target as HTMLElement;
  if (!(query instanceof HTMLInputElement) || !query.classList.contains('bk-external-query')) return;
  const holder = query.closest<HTMLElement>('.bk-external');
  if (holder?.dataset['minQueryLength'] === '0' && !holder.dataset['loaded']) {
    holder.dataset['loaded'] = 'true';
    suggest(query, 0);
  }
}

function suggest(query: HTMLInputElement, delayMs: number): void {
  const holder = query.closest<HTMLElement>('.bk-external');
  const view = query.closest<HTMLElement>('[data-view-id]');
  if (!holder || !view) return;
  const minLength = Number(holder.dataset['minQueryLength'] ?? '3');
  window.clearTimeout(suggestTimers.get(holder));
  if (query.value.length < minLength) return;
  suggestTimers.set(
    holder,
    window.setTimeout(() => {
      attempt(async () => {
        const { options } = await api<{ options: Option[] }>('POST', '/api/suggest', {
          as: page.as,
          viewId: view.dataset['viewId'],
          actionId: holder.dataset['actionId'],
          blockId: holder.dataset['blockId'],
          value: query.value,
          values: viewState(view),
        });
        const select = holder.querySelector('select');
        if (!select) return;
        const label = (o: Option) =>
          String((o['text'] as { text?: string } | undefined)?.text ?? o['value'] ?? '');
        select.innerHTML =
          `<option value="">${options.length ? `${options.length} match${options.length === 1 ? '' : 'es'}` : 'No matches'}</option>` +
          options
            .map(
              (o) =>
                `<option value="${escapeHtml(String(o['value'] ?? ''))}" data-option="${escapeHtml(JSON.stringify(o))}">${escapeHtml(label(o))}</option>`,
            )
            .join('');
        if (options.length === 1) select.selectedIndex = 1;
      });
    }, delayMs),
  );
}

async function submitModal(view: HTMLElement): Promise<void> {
  for (const el of view.querySelectorAll('.bk-input-error')) el.textContent = '';
  const { errors } = await api<{ errors: Record<string, string> }>('POST', '/api/submit', {
    as: page.as,
    viewId: view.dataset['viewId'],
    values: viewState(view),
  });
  for (const [blockId, message] of Object.entries(errors ?? {})) {
    const slot = [...view.querySelectorAll<HTMLElement>('[data-error-for]')].find(
      (e) => e.dataset['errorFor'] === blockId,
    );
    if (slot) slot.textContent = message;
    else toast(message);
  }
}

async function onSubmitComposer(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const input = $<HTMLInputElement>('composer-input');
  const text = input.value.trim();
  if (!text) return;
  if (text.startsWith('/')) await api('POST', '/api/command', { as: page.as, channel: page.conv, text });
  else await api('POST', '/api/message', { as: page.as, channel: page.conv, text });
  input.value = '';
  $('command-hints').hidden = true;
}

function showCommandHints(): void {
  const text = $<HTMLInputElement>('composer-input').value;
  const hints = $('command-hints');
  const matching =
    text.startsWith('/') && !text.includes(' ')
      ? (page.state?.commands ?? []).filter((c) => c.command.startsWith(text))
      : [];
  hints.hidden = matching.length === 0;
  hints.innerHTML = matching
    .map(
      (c) =>
        `<div><strong>${escapeHtml(c.command)}</strong> <span class="muted">${escapeHtml(c.usageHint)}</span><br><span class="muted">${escapeHtml(c.description)}</span></div>`,
    )
    .join('');
}

// ---------------------------------------------------------------- start

function start(): void {
  document.addEventListener('click', onClick);
  document.addEventListener('change', onChange);
  document.addEventListener('input', onInput);
  document.addEventListener('focusin', onFocus);
  $<HTMLSelectElement>('who').addEventListener('change', (e) => {
    page.as = (e.target as HTMLSelectElement).value;
    page.conv = '';
    page.tab = 'messages';
    page.shownModal = '';
    attempt(refresh);
  });
  $('composer').addEventListener('submit', (e) => attempt(() => onSubmitComposer(e as SubmitEvent)));
  $('composer-input').addEventListener('input', showCommandHints);

  let awsTimer: number | undefined;
  const refreshWorld = () => {
    window.clearTimeout(awsTimer);
    awsTimer = window.setTimeout(() => attempt(() => Promise.all([refreshAws(), refreshLog()])), 300);
  };
  const events = new EventSource('/api/events');
  events.onmessage = (e: MessageEvent<string>) => {
    attempt(async () => {
      await refresh();
      // The home tab re-renders from the stand-in's view; a changed Home arrives as 'slack'.
      refreshWorld();
      if (e.data === 'aws') await refreshAws();
    });
  };
  attempt(async () => {
    await refresh();
    await Promise.all([refreshAws(), refreshLog()]);
    document.body.dataset['ready'] = 'true';
  });
}

start();
