export * from './dynamo-table.js';
export * from './slack-request-sender.js';
export * from './slack-standin.js';
export * from './standin-socket-mode.js';
