import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { listenOnLoopback } from './loopback';

/** One request the server answered, in arrival order. */
export interface ServedRequest {
  readonly method: string;
  /** Path and query as the client sent them. */
  readonly url: string;
  readonly status: number;
  readonly range?: string;
}

/** A dynamic route: returns true when it answered the request itself. */
export type RouteHandler = (request: http.IncomingMessage, response: http.ServerResponse) => boolean | Promise<boolean>;

/** What the server serves. */
export interface StaticServerOptions {
  /** URL prefix -> folder, e.g. `{ '/media/': fixtures.root }`. The longest matching prefix wins. */
  readonly mounts?: Record<string, string>;
  /** Tried before the mounts, in order. */
  readonly routes?: RouteHandler[];
}

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  /** Every request answered so far. */
  readonly requests: ServedRequest[];
  close(): Promise<void>;
}

/** Content types players care about: hls.js checks none, Chromium's native player does. */
export const contentTypes: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.js': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};

/**
 * A static file server on 127.0.0.1 for fixtures and player pages: CORS open (players load from
 * another origin), single byte ranges (EXT-X-BYTERANGE segments), no path escapes from a mount.
 */
export async function startStaticServer(options: StaticServerOptions = {}): Promise<LoopbackServer> {
  const mounts = Object.entries(options.mounts ?? {}).sort(([a], [b]) => b.length - a.length);
  const requests: ServedRequest[] = [];

  const server = http.createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-expose-headers', 'content-length, content-range, last-modified, etag');
    response.on('finish', () => requests.push({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      status: response.statusCode,
      range: request.headers.range,
    }));
    void answer(request, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`static server route failed: ${error.message}`);
    });
  });

  async function answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    for (const route of options.routes ?? []) {
      if (await route(request, response)) return;
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': '*' }).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    const file = resolveFile(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(request, response, file);
  }

  function resolveFile(urlPath: string): string | undefined {
    const decoded = decodeURIComponent(urlPath);
    for (const [prefix, dir] of mounts) {
      if (!decoded.startsWith(prefix)) continue;
      const root = path.resolve(dir);
      const file = path.resolve(root, decoded.slice(prefix.length));
      if (file !== root && !file.startsWith(root + path.sep)) return undefined;
      return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
    }
    return undefined;
  }

  return { ...await listenOnLoopback(server), requests };
}

function sendFile(request: http.IncomingMessage, response: http.ServerResponse, file: string): void {
  const stat = fs.statSync(file);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    'last-modified': stat.mtime.toUTCString(),
    'accept-ranges': 'bytes',
  };
  const range = parseRange(request.headers.range, stat.size);
  if (range === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'content-range': `bytes */${stat.size}` }).end();
    return;
  }
  const [start, end] = range ?? [0, stat.size - 1];
  headers['content-length'] = stat.size === 0 ? 0 : end - start + 1;
  if (range) headers['content-range'] = `bytes ${start}-${end}/${stat.size}`;
  response.writeHead(range ? 206 : 200, headers);
  if (request.method === 'HEAD' || stat.size === 0) {
    response.end();
    return;
  }
  fs.createReadStream(file, { start, end }).pipe(response);
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; multi-range requests are served whole. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [start, end] = match[1] === ''
    ? [Math.max(0, size - Number(match[2])), size - 1]
    : [Number(match[1]), match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)];
  return start > end || start >= size ? 'unsatisfiable' : [start, end];
}
