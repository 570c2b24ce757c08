import * as http from 'http';
import { AddressInfo } from 'net';

/** An HTTP server listening on 127.0.0.1. */
export interface Listening {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  /** Closes the server and every connection it still holds. */
  close(): Promise<void>;
}

/**
 * How long the server keeps an idle keep-alive connection. Node's 5 s default races clients on a loaded machine: a
 * client that reuses a socket as the server closes it gets ECONNRESET, which an SDK client with `maxAttempts: 1` reports
 * as a failure of the code under test.
 */
const idleConnectionMs = 120_000;

/** Starts `server` on a free port of 127.0.0.1: tests send traffic to loopback only. */
export async function listenOnLoopback(server: http.Server): Promise<Listening> {
  server.keepAliveTimeout = idleConnectionMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
