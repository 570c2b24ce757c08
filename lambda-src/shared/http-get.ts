import * as http from 'http';
import * as https from 'https';

/** Limits of one GET. */
export interface HttpGetOptions {
  /** Abort when the whole response has not arrived within this many milliseconds. */
  readonly timeoutMs: number;
  /** Abort when the body grows past this many bytes. */
  readonly maxBytes: number;
  readonly headers?: Record<string, string>;
}

/** A completed GET (any status; redirects are returned, not followed). */
export interface HttpGetResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Why a GET did not complete. */
export class HttpGetError extends Error {
  constructor(public readonly reason: 'timeout' | 'too-large' | 'network', message: string) {
    super(message);
    this.name = 'HttpGetError';
  }
}

// keep-alive: a warm function reuses its connections to the origins
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * GET with node's own HTTP client: a fraction of fetch()'s per-request overhead, which matters when one
 * stitched playlist needs a dozen upstream playlists. Bodies are decoded as UTF-8.
 */
export function httpGet(url: URL, options: HttpGetOptions): Promise<HttpGetResponse> {
  const started = Date.now();
  return getOnce(url, options).catch((error: unknown) => {
    // a kept-alive connection the server closed while it was idle: the request never reached it, so it is sent again once
    if (!(error instanceof StaleConnectionError)) throw error;
    return getOnce(url, { ...options, timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)) });
  }).catch((error: unknown) => {
    throw error instanceof StaleConnectionError ? new HttpGetError('network', 'ECONNRESET') : error;
  });
}

class StaleConnectionError extends Error {}

function getOnce(url: URL, options: HttpGetOptions): Promise<HttpGetResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { agent: agents[url.protocol as 'http:' | 'https:'], headers: options.headers }, (response) => {
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > options.maxBytes) {
        fail(new HttpGetError('too-large', `${declared} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) fail(new HttpGetError('too-large', `over ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => fail(new HttpGetError('network', error.message)));
    });
    const timer = setTimeout(() => fail(new HttpGetError('timeout', `no complete response within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => fail(request.reusedSocket && error.code === 'ECONNRESET'
      ? new StaleConnectionError()
      : new HttpGetError('network', error.code ?? error.message)));
    function fail(error: Error): void {
      clearTimeout(timer);
      request.destroy();
      reject(error);
    }
  });
}
