/**
 * Stopping local processes: DynamoDB Local above all, which keeps every write it acknowledged only
 * when stopped in order (SIGTERM). Killed with -9 while requests are in flight, it can lose writes it
 * has already acknowledged, which DynamoDB on AWS never does.
 */

/** Whether a process (or, with a negative id, a process group) still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGTERM to `pid` (negative: a process group), then waits until it is gone; SIGKILL if it is still
 * there after `graceMs`. Resolves once it is gone, or 5 s after the SIGKILL.
 */
export async function stopInOrder(pid: number, graceMs: number): Promise<void> {
  if (!send(pid, 'SIGTERM')) return;
  if (await goneWithin(pid, graceMs)) return;
  send(pid, 'SIGKILL');
  await goneWithin(pid, 5_000);
}

/** Sends `signal`; false if there was no such process. */
function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}
