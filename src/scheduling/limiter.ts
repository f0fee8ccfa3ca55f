/**
 * Runs at most `limit` tasks at once; the rest wait their turn in arrival order.
 *
 * Background work that comes due in bursts (every /totp reply of a 30-second code period hides at
 * the same instant) would otherwise start all at once: thousands of store writes and HTTP posts
 * in one turn of the event loop, each post opening its own connection, while people's commands
 * wait behind them for their ack.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    running--;
    waiting.shift()?.();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        running++;
        // A task that throws synchronously still frees its slot.
        Promise.resolve().then(task).then(resolve, reject).finally(next);
      };
      if (running < limit) start();
      else waiting.push(start);
    });
}
