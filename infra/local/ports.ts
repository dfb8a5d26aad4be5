import { connect, createServer } from 'node:net';

/** The address every local emulator binds to: nothing local is reachable from other machines. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * Asks the OS for a port nobody listens on right now.
 * There is a short window in which another process could take it; callers that spawn a
 * child process on it retry with a new port if the child reports the address in use.
 */
export async function freePort(host: string = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('The OS did not report a port for a listening socket.'));
      });
    });
  });
}

/**
 * Whether nothing listens on the port on any interface (a server that binds every interface,
 * as DynamoDB Local does, would otherwise share the port with one bound to 127.0.0.1 only).
 */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Resolves once nothing accepts TCP connections on host:port (or after timeoutMs, with false). */
export async function waitUntilClosed(
  port: number,
  host: string = LOCAL_HOST,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!open) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
