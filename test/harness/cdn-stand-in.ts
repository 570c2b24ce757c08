/**
 * A loopback stand-in for a CloudFront distribution in front of one origin (e.g. an s3rver bucket URL).
 *
 * What it models, per cache behavior (first matching path pattern wins, as in CloudFront):
 * - 200 responses are cached for the behavior's TTL, keyed by the path and the values of the behavior's cache-key
 *   query parameters (an allow-list, in the order the viewer sent them); other query strings, cookies and request
 *   headers are neither part of the key nor forwarded, and origin cache headers are not honoured;
 * - 3xx redirects are passed to the viewer, never followed, and cached like a 200 for the behavior's TTL, except
 *   307 and 308, which are cached only when the origin sent Cache-Control
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-3xx-status-codes.html);
 * - a miss is fetched from the behavior's origin with a plain GET of the path and the allow-listed query
 *   parameters (cache key and origin request policy), without conditional headers;
 * - a viewer's conditional GET (`If-None-Match` matching the cached ETag, or `If-Modified-Since` not before the
 *   cached Last-Modified, If-None-Match taking precedence) of a cached 200 is answered 304 from the cache, with the
 *   cached object's headers and no body, as CloudFront answers it at viewer level; the viewer-response function
 *   runs on that 304 (status 304, the cached headers);
 * - the behavior's response headers policy (`responseHeaders`) is applied to every response it serves, replacing
 *   headers of the same name (the policy's `override`); the viewer-response function sees the result;
 * - the behavior's viewer-response CloudFront Function runs on every response served below 400, whether it
 *   came from the cache or the origin, and the viewer gets what the function returns (status, headers,
 *   cookies, and body when the function set one);
 * - origin responses of 400 and above go to the viewer untouched, because CloudFront does not invoke
 *   viewer-response functions for them, and are cached for `errorTtlSeconds` (error caching minimum TTL);
 * - a function that throws or returns an invalid result answers 503, as CloudFront does.
 * - the behavior's viewer-request CloudFront Function runs before all of the above: a response it returns goes to the
 *   viewer as is (no cache lookup, no origin fetch), a request it returns continues with its URI and query string;
 * - `forwardAllQueryStrings` (an origin request policy forwarding every query string) sends the viewer's whole query
 *   string to the origin, as sent.
 * Every response carries `access-control-allow-origin: *`. Not modelled: request collapsing, Range
 * requests, compression, origin failover.
 */
import * as http from 'http';
import {
  CloudFrontCookies,
  CloudFrontFunction,
  CloudFrontHeaders,
  CloudFrontQuerystring,
  CloudFrontResponse,
  isCloudFrontResponse,
  viewerRequestEvent,
  viewerResponseEvent,
} from './cloudfront-function';
import { listenOnLoopback } from './loopback';

/** One cache behavior. */
export interface CdnBehavior {
  /** CloudFront path pattern: `*` matches any characters (slashes included), `?` one; e.g. `*.m3u8`, `live/*.m3u8`, `*`. */
  readonly pathPattern: string;
  /** How long a 200 response stays cached, in seconds; 0 disables caching. */
  readonly ttlSeconds: number;
  /** Viewer-response function associated with the behavior. */
  readonly viewerResponseFunction?: CloudFrontFunction;
  /** Query parameters in the cache key (cache policy allow-list); they also reach the origin. @default - none */
  readonly cacheKeyQueryStrings?: string[];
  /** Query parameters forwarded to the origin without being in the key (origin request policy). @default - none */
  readonly forwardedQueryStrings?: string[];
  /** Origin base URL of this behavior, overriding the stand-in's `origin`. @default - the stand-in's origin */
  readonly origin?: string;
  /** Custom headers of the behavior's response headers policy, with override (lower-case names). */
  readonly responseHeaders?: Record<string, string>;
  /** Viewer-request function associated with the behavior. */
  readonly viewerRequestFunction?: CloudFrontFunction;
  /** Forward the viewer's whole query string to the origin (not part of the cache key). @default false */
  readonly forwardAllQueryStrings?: boolean;
}

/** How to start the stand-in. */
export interface CdnStandInOptions {
  /** Origin base URL without trailing slash, e.g. `http://127.0.0.1:4568/live`; the viewer path is appended. */
  readonly origin: string;
  /** Cache behaviors in precedence order; a request that matches none is answered 404 without an origin fetch. */
  readonly behaviors: CdnBehavior[];
  /** How long origin error responses (status >= 400) stay cached, in seconds. @default 1 */
  readonly errorTtlSeconds?: number;
  /** Clock for cache expiry and the request log, ms since epoch. @default Date.now */
  readonly clock?: () => number;
}

/** One request the stand-in answered. */
export interface CdnRequestRecord {
  /** When the request arrived (clock ms). */
  readonly time: number;
  /** When the response was handed to the socket (clock ms). */
  readonly finishedAt: number;
  readonly method: string;
  /** Path without query string, e.g. `/pipeline-a/360p/index.m3u8`. */
  readonly path: string;
  /** Path and query as the viewer sent them. */
  readonly url: string;
  /** Path pattern of the behavior that served the request; undefined when none matched. */
  readonly behavior?: string;
  /** Status the viewer got. */
  readonly status: number;
  /** Whether the response came from the cache (`hit`) or the origin (`miss`); `none` when no lookup happened. */
  readonly cache: 'hit' | 'miss' | 'none';
  /** The cache key looked up: the path and the keyed query parameters; undefined when no lookup happened. */
  readonly cacheKey?: string;
  /** Status of the cached or origin response before the viewer-response function. */
  readonly originStatus?: number;
  /** Whether a CloudFront Function (viewer request or viewer response) ran for this request. */
  readonly functionRan: boolean;
  /** Headers the viewer got (lower-case names, duplicates joined with `, `). */
  readonly headers: Record<string, string>;
}

/** A running stand-in. */
export interface CdnStandIn {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  /** Every request answered so far, in completion order. */
  readonly requests: CdnRequestRecord[];
  /** Drops every cached response. */
  invalidate(): void;
  close(): Promise<void>;
}

interface StoredResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string>;
  readonly setCookies: string[];
  readonly body: Buffer;
  readonly expiresAt: number;
}

interface Outgoing {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** Headers that describe one connection or one transfer, never forwarded from the origin. */
const hopByHopHeaders = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'content-length', 'content-encoding', 'set-cookie',
]);

/** Converts a CloudFront path pattern to an anchored regular expression over the path without its leading slash. */
export function pathPatternToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/^\//, '').split('').map((char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${body}$`);
}

/**
 * Starts the stand-in on a free loopback port. Behaviors are matched in order against the request path,
 * like a distribution's cache behaviors with `*` as the default behavior last.
 */
export async function startCdnStandIn(options: CdnStandInOptions): Promise<CdnStandIn> {
  const origin = options.origin.replace(/\/+$/, '');
  const clock = options.clock ?? Date.now;
  const errorTtlMs = (options.errorTtlSeconds ?? 1) * 1000;
  const behaviors = options.behaviors.map((behavior) => ({ behavior, regExp: pathPatternToRegExp(behavior.pathPattern) }));
  const cache = new Map<string, StoredResponse>();
  const requests: CdnRequestRecord[] = [];

  const server = http.createServer((request, response) => {
    const time = clock();
    const url = request.url ?? '/';
    const pathName = url.split('?')[0];
    const method = request.method ?? 'GET';
    const matched = behaviors.find(({ regExp }) => regExp.test(pathName.replace(/^\//, '')))?.behavior;
    const record = (fields: Pick<CdnRequestRecord, 'status' | 'cache' | 'functionRan' | 'headers'> & { originStatus?: number; cacheKey?: string }) => {
      requests.push({ time, finishedAt: clock(), method, path: pathName, url, behavior: matched?.pathPattern, ...fields });
    };
    void serve(request, method, pathName, matched)
      .then(({ outgoing, cacheState, cacheKey, originStatus, functionRan }) => {
        const headers = { ...outgoing.headers, 'access-control-allow-origin': '*', 'content-length': String(outgoing.body.length) };
        response.writeHead(outgoing.status, outgoing.statusText, headers);
        response.end(method === 'HEAD' ? undefined : outgoing.body);
        record({ status: outgoing.status, cache: cacheState, cacheKey, originStatus, functionRan, headers: flatten(headers) });
      })
      .catch((error: Error) => {
        const headers = { 'content-type': 'text/plain', 'access-control-allow-origin': '*' };
        if (!response.headersSent) response.writeHead(502, headers);
        response.end(`cdn stand-in: ${error.message}\n`);
        record({ status: 502, cache: 'none', functionRan: false, headers });
      });
  });

  async function serve(request: http.IncomingMessage, method: string, viewerPath: string, behavior: CdnBehavior | undefined): Promise<{
    outgoing: Outgoing; cacheState: CdnRequestRecord['cache']; cacheKey?: string; originStatus?: number; functionRan: boolean;
  }> {
    if (method === 'OPTIONS') {
      const headers = { 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': '*', 'access-control-max-age': '600' };
      return { outgoing: { status: 204, headers, body: Buffer.alloc(0) }, cacheState: 'none', functionRan: false };
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return { outgoing: textResponse(405, 'method not allowed'), cacheState: 'none', functionRan: false };
    }
    if (!behavior) {
      return { outgoing: textResponse(404, 'no cache behavior matches this path'), cacheState: 'none', functionRan: false };
    }
    let pathName = viewerPath;
    let rawQuery = (request.url ?? '').split('?').slice(1).join('?');
    let requestFunctionRan = false;
    if (behavior.viewerRequestFunction) {
      requestFunctionRan = true;
      let returned;
      try {
        const event = viewerRequestEvent({ method, uri: pathName, querystring: rawQuery, headers: definedHeaders(request.headers) });
        returned = await behavior.viewerRequestFunction.run(event);
      } catch (error) {
        const outgoing = textResponse(503, `The CloudFront function associated with this behavior failed: ${(error as Error).message}`);
        return { outgoing, cacheState: 'none', functionRan: true };
      }
      if (isCloudFrontResponse(returned)) return { outgoing: fromFunction(returned, Buffer.alloc(0)), cacheState: 'none', functionRan: true };
      pathName = returned.uri;
      rawQuery = queryStringOf(returned.querystring);
    }
    const query = new URLSearchParams(rawQuery);
    const keyed = selectQuery(query, behavior.cacheKeyQueryStrings ?? []);
    const forwarded = behavior.forwardAllQueryStrings
      ? rawQuery
      : selectQuery(query, [...behavior.cacheKeyQueryStrings ?? [], ...behavior.forwardedQueryStrings ?? []]);
    const cacheKey = `${pathName}${keyed ? `?${keyed}` : ''}`;
    let stored = cache.get(cacheKey);
    let cacheState: 'hit' | 'miss' = 'hit';
    if (!stored || stored.expiresAt <= clock()) {
      cacheState = 'miss';
      stored = await fetchFromOrigin(`${pathName}${forwarded ? `?${forwarded}` : ''}`, behavior);
      if (stored.expiresAt > clock()) cache.set(cacheKey, stored);
      else cache.delete(cacheKey);
    }
    const policyHeaders = behavior.responseHeaders ?? {};
    const headers = { ...stored.headers, ...policyHeaders };
    const notModified = stored.status === 200 && isNotModified(request.headers, stored.headers);
    const fromCache: Outgoing = {
      status: notModified ? 304 : stored.status,
      statusText: notModified ? 'Not Modified' : stored.statusText,
      headers: stored.setCookies.length > 0 ? { ...headers, 'set-cookie': stored.setCookies } : headers,
      body: notModified ? Buffer.alloc(0) : stored.body,
    };
    const fn = behavior.viewerResponseFunction;
    if (!fn || stored.status >= 400) {
      return { outgoing: fromCache, cacheState, cacheKey, originStatus: stored.status, functionRan: requestFunctionRan };
    }
    const event = viewerResponseEvent({
      method,
      uri: pathName,
      querystring: (request.url ?? '').split('?').slice(1).join('?'),
      headers: definedHeaders(request.headers),
      statusCode: fromCache.status,
      statusDescription: fromCache.statusText,
      responseHeaders: fromCache.headers,
    });
    let result: CloudFrontResponse;
    try {
      const returned = await fn.run(event);
      if (!isCloudFrontResponse(returned)) throw new Error('viewer-response function returned a request');
      result = returned;
    } catch (error) {
      const outgoing = textResponse(503, `The CloudFront function associated with this behavior failed: ${(error as Error).message}`);
      return { outgoing, cacheState, cacheKey, originStatus: stored.status, functionRan: true };
    }
    return { outgoing: fromFunction(result, fromCache.body), cacheState, cacheKey, originStatus: stored.status, functionRan: true };
  }

  async function fetchFromOrigin(pathAndQuery: string, behavior: CdnBehavior): Promise<StoredResponse> {
    const response = await fetch(`${behavior.origin?.replace(/\/+$/, '') ?? origin}${pathAndQuery}`, { redirect: 'manual' });
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!hopByHopHeaders.has(name)) headers[name] = value;
    });
    const ttlMs = response.status >= 400 ? errorTtlMs : cachesLikeOk(response) ? behavior.ttlSeconds * 1000 : 0;
    return {
      status: response.status,
      statusText: response.statusText || (http.STATUS_CODES[response.status] ?? ''),
      headers,
      setCookies: response.headers.getSetCookie(),
      body,
      expiresAt: clock() + ttlMs,
    };
  }

  const listening = await listenOnLoopback(server);
  return {
    origin: listening.origin,
    port: listening.port,
    requests,
    invalidate: () => cache.clear(),
    close: () => listening.close(),
  };
}

/** Whether CloudFront caches this origin response for the behavior's TTL: 200, and redirects (307/308 only with Cache-Control). */
function cachesLikeOk(response: Response): boolean {
  if (response.status === 200) return true;
  if (response.status === 307 || response.status === 308) return response.headers.has('cache-control');
  return response.status >= 300 && response.status < 400 && response.status !== 304;
}

/** The query string CloudFront sends on for a viewer-request function's querystring object (values as the function left them). */
function queryStringOf(querystring: CloudFrontQuerystring | undefined): string {
  return Object.entries(querystring ?? {})
    .flatMap(([name, field]) => (field.multiValue ?? [field]).map((entry) => `${name}=${entry.value}`))
    .join('&');
}

/** `name=value&...` of the parameters of `query` named in `names`, in the viewer's order; '' when none. */
function selectQuery(query: URLSearchParams, names: string[]): string {
  const selected = new URLSearchParams();
  query.forEach((value, name) => {
    if (names.includes(name)) selected.append(name, value);
  });
  return selected.toString();
}

/** Whether a viewer's validators match the cached object (RFC 9110 §13.2.2: If-None-Match before If-Modified-Since). */
function isNotModified(request: http.IncomingHttpHeaders, cached: Record<string, string>): boolean {
  const ifNoneMatch = request['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const etag = cached.etag?.replace(/^W\//, '');
    return ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, '')).some((tag) => tag === '*' || (etag !== undefined && tag === etag));
  }
  const ifModifiedSince = request['if-modified-since'];
  if (ifModifiedSince === undefined || cached['last-modified'] === undefined) return false;
  return Date.parse(ifModifiedSince) >= Date.parse(cached['last-modified']);
}

function textResponse(status: number, text: string): Outgoing {
  return { status, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${text}\n`) };
}

function definedHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const defined: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

/** The response CloudFront sends for a viewer-response function's result. */
function fromFunction(result: CloudFrontResponse, originalBody: Buffer): Outgoing {
  const headers: Record<string, string | string[]> = {};
  for (const [name, field] of Object.entries(result.headers ?? {} as CloudFrontHeaders)) {
    headers[name] = field.multiValue ? field.multiValue.map((entry) => entry.value) : field.value;
  }
  const cookies = setCookieLines(result.cookies ?? {});
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  let body = originalBody;
  if (typeof result.body === 'string') body = Buffer.from(result.body, 'utf8');
  else if (result.body) body = Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8');
  return { status: result.statusCode, statusText: result.statusDescription, headers, body };
}

function setCookieLines(cookies: CloudFrontCookies): string[] {
  return Object.entries(cookies).flatMap(([name, cookie]) => (cookie.multiValue ?? [cookie])
    .map((entry) => `${name}=${entry.value}${entry.attributes ? `; ${entry.attributes}` : ''}`));
}

function flatten(headers: Record<string, string | string[]>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
