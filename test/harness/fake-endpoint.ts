import * as http from 'http';
import { listenOnLoopback } from './loopback';

/** A request the fake endpoint received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, URL-decoded per segment as the SDK encoded it. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json?: unknown;
}

/** What the fake answers. */
export interface FakeResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering (to exercise client timeouts). */
  readonly delayMs?: number;
}

/** Decides the answer to each request. */
export type FakeHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

/** A running fake HTTP endpoint on 127.0.0.1. */
export interface FakeEndpoint {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` to an AWS SDK client. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that stands in for an AWS API (or any upstream) and records what it was
 * sent. AWS SDK v3 clients reach it with `endpoint: fake.url` and any credentials.
 */
export async function startFakeEndpoint(handler: FakeHandler): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path: url.pathname.split('/').map(decodeURIComponent).join('/'),
        query: url.searchParams,
        headers: incoming.headers,
        body,
        json: parseJson(body),
      };
      requests.push(request);
      void Promise.resolve()
        .then(() => handler(request))
        .then(async (response) => {
          if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
          const text = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
          const type = typeof response.body === 'string' ? 'text/plain' : 'application/json';
          outgoing.writeHead(response.status, { 'content-type': type, ...response.headers }).end(text);
        })
        .catch((error: Error) => outgoing.writeHead(500, { 'content-type': 'text/plain' }).end(`fake endpoint handler failed: ${error.message}`));
    });
  });
  const { origin, close } = await listenOnLoopback(server);
  return { url: origin, requests, close };
}

/** An AWS JSON-protocol error the SDK turns into an exception named `errorType`. */
export function awsJsonError(status: number, errorType: string, message: string): FakeResponse {
  return { status, headers: { 'x-amzn-errortype': errorType }, body: { Message: message } };
}

function parseJson(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
