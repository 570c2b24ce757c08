import * as http from 'http';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { listenOnLoopback } from './loopback';

/** A Lambda Function URL handler. */
export type FunctionUrlHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

/** A handler served on loopback as its Function URL would serve it. */
export interface LoopbackFunctionUrl {
  readonly origin: string;
  /** Every event the handler received. */
  readonly events: LambdaFunctionURLEvent[];
  close(): Promise<void>;
}

/**
 * Serves a Lambda Function URL handler on 127.0.0.1: each HTTP request becomes a payload-format-2.0
 * event (rawPath, rawQueryString, decoded queryStringParameters with repeated names joined by commas,
 * lower-case headers, base64 body), and the handler's result becomes the HTTP response.
 */
export async function serveFunctionUrl(handler: FunctionUrlHandler): Promise<LoopbackFunctionUrl> {
  const events: LambdaFunctionURLEvent[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = toEvent(request, Buffer.concat(chunks));
      events.push(event);
      handler(event).then((returned) => {
        // a bare string is a 200 JSON body, as the Function URL service treats it
        const result = typeof returned === 'string' ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: returned } : returned;
        const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
        response.writeHead(result.statusCode ?? 200, { ...result.headers as Record<string, string>, 'content-length': String(body.length) });
        response.end(body);
      }, (error: Error) => {
        // what the Lambda service answers when a function throws
        response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: `handler threw: ${error.message}` }));
      });
    });
  });
  const { origin, close } = await listenOnLoopback(server);
  return { origin, events, close };
}

function toEvent(request: http.IncomingMessage, body: Buffer): LambdaFunctionURLEvent {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'loopback',
      domainName: url.host,
      domainPrefix: 'loopback',
      http: { method: request.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `${now.getTime()}-${Math.random().toString(16).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}
