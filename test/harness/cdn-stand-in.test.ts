import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CdnBehavior, CdnStandIn, pathPatternToRegExp, startCdnStandIn } from './cdn-stand-in';
import { CloudFrontFunction, loadCloudFrontFunction } from './cloudfront-function';
import { LoopbackServer, startStaticServer } from './static-server';
import { pipelineHeartbeatKey } from '../../src/stale-playlist-guard/contract/protocol';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);
const LAST_MODIFIED = new Date(T0).toUTCString();

/** A viewer-response function that tags every response it sees with `label`. */
function taggingFunction(label: string): string {
  return `function handler(event) {
  var response = event.response;
  response.headers['x-viewer-response'] = { value: '${label} ' + event.request.uri + ' ' + response.statusCode };
  return response;
}
`;
}

describe('CDN stand-in', () => {
  let workDir: string;
  let origin: LoopbackServer;
  let cdnNow: number;
  let fnNow: number;
  const cdns: CdnStandIn[] = [];

  /** The guard's function for a root pipeline and a standby one whose heartbeat stays fresh: a stale root playlist is a 404. */
  function writeGuard(name: string): CloudFrontFunction {
    const file = path.join(workDir, name);
    fs.writeFileSync(file, renderEdgeGuardFunction({ staleAfterMs: 6000, pipelinePrefixes: ['', 'standby/'] }));
    return loadCloudFrontFunction(file, { now: () => fnNow, keyValueStore: { [pipelineHeartbeatKey(1)]: String(T0 + 7000) } });
  }

  function writeFunction(name: string, code: string): CloudFrontFunction {
    const file = path.join(workDir, name);
    fs.writeFileSync(file, code);
    return loadCloudFrontFunction(file, { now: () => fnNow });
  }

  async function cdn(behaviors: CdnBehavior[], errorTtlSeconds?: number): Promise<CdnStandIn> {
    const started = await startCdnStandIn({ origin: `${origin.origin}/origin`, behaviors, errorTtlSeconds, clock: () => cdnNow });
    cdns.push(started);
    return started;
  }

  function originHits(urlPath: string): number {
    return origin.requests.filter((request) => request.url === `/origin${urlPath}`).length;
  }

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdn-stand-in-'));
    const counters = new Map<string, number>();
    origin = await startStaticServer({
      routes: [(request, response) => {
        const url = request.url ?? '/';
        response.removeHeader('access-control-allow-origin'); // prove the stand-in adds it
        const count = (counters.get(url) ?? 0) + 1;
        counters.set(url, count);
        if (url.startsWith('/origin/missing')) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('origin: no such key\n');
        } else if (url.startsWith('/origin/redirect')) {
          const status = Number(/status=(\d+)/.exec(url)?.[1] ?? 302);
          const cacheControl = url.includes('cc=1') ? { 'cache-control': 'max-age=60' } : undefined;
          response.writeHead(status, { location: `./target.m3u8?version=${count}`, ...cacheControl }).end();
        } else if (url.startsWith('/origin/broken')) {
          response.writeHead(503, { 'content-type': 'text/plain' }).end('origin: slow down\n');
        } else {
          response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'last-modified': LAST_MODIFIED, 'etag': `"v${count}"` })
            .end(`#EXTM3U\n# ${url} version ${count}\n`);
        }
        return true;
      }],
    });
  });

  beforeEach(() => {
    cdnNow = T0 + 1000;
    fnNow = T0 + 1000;
  });

  afterAll(async () => {
    await Promise.all(cdns.map((started) => started.close()));
    await origin?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('path patterns match like CloudFront: * spans folders, ? is one character, leading slash optional', () => {
    expect(pathPatternToRegExp('*.m3u8').test('pipeline-a/360p/index.m3u8')).toBe(true);
    expect(pathPatternToRegExp('*.m3u8').test('pipeline-a/360p/seg_1.ts')).toBe(false);
    expect(pathPatternToRegExp('/live/*.m3u8').test('live/a/index.m3u8')).toBe(true);
    expect(pathPatternToRegExp('live/*.m3u8').test('vod/live/index.m3u8')).toBe(false);
    expect(pathPatternToRegExp('seg_?.ts').test('seg_1.ts')).toBe(true);
    expect(pathPatternToRegExp('seg_?.ts').test('seg_10.ts')).toBe(false);
    expect(pathPatternToRegExp('a.b(c)+').test('a.b(c)+')).toBe(true);
    expect(pathPatternToRegExp('a.b').test('axb')).toBe(false);
  });

  test('serves a cached 200 within the TTL, fetches from the origin again once it expires', async () => {
    const stand = await cdn([{ pathPattern: '*', ttlSeconds: 2 }]);
    const get = async () => (await fetch(`${stand.origin}/ttl/index.m3u8?ignored=1`)).text();

    expect(await get()).toContain('version 1');
    cdnNow += 1999;
    expect(await get()).toContain('version 1');
    cdnNow += 1;
    expect(await get()).toContain('version 2');

    expect(originHits('/ttl/index.m3u8')).toBe(2);
    expect(stand.requests.map((r) => [r.cache, r.status])).toEqual([['miss', 200], ['hit', 200], ['miss', 200]]);
    expect(stand.requests[0]).toMatchObject({ path: '/ttl/index.m3u8', url: '/ttl/index.m3u8?ignored=1', behavior: '*', time: T0 + 1000 });
  });

  test('the first behavior whose path pattern matches wins', async () => {
    const special = writeFunction('special.js', taggingFunction('special'));
    const playlists = writeFunction('playlists.js', taggingFunction('playlists'));
    const stand = await cdn([
      { pathPattern: 'special/*.m3u8', ttlSeconds: 0, viewerResponseFunction: special },
      { pathPattern: '*.m3u8', ttlSeconds: 60, viewerResponseFunction: playlists },
      { pathPattern: '*', ttlSeconds: 60 },
    ]);
    const tag = async (urlPath: string) => (await fetch(`${stand.origin}${urlPath}`)).headers.get('x-viewer-response');

    expect(await tag('/special/a.m3u8')).toBe('special /special/a.m3u8 200');
    expect(await tag('/special/a.m3u8')).toBe('special /special/a.m3u8 200');
    expect(await tag('/first-match/b.m3u8')).toBe('playlists /first-match/b.m3u8 200');
    expect(await tag('/first-match/b.m3u8')).toBe('playlists /first-match/b.m3u8 200');
    expect(await tag('/first-match/seg.ts')).toBeNull();

    expect(originHits('/special/a.m3u8')).toBe(2); // TTL 0: never cached
    expect(originHits('/first-match/b.m3u8')).toBe(1);
    expect(stand.requests.map((r) => r.behavior)).toEqual(['special/*.m3u8', 'special/*.m3u8', '*.m3u8', '*.m3u8', '*']);

    const reversed = await cdn([
      { pathPattern: '*.m3u8', ttlSeconds: 60, viewerResponseFunction: playlists },
      { pathPattern: 'special/*.m3u8', ttlSeconds: 0, viewerResponseFunction: special },
    ]);
    const shadowed = await fetch(`${reversed.origin}/special/c.m3u8`);
    expect(shadowed.headers.get('x-viewer-response')).toBe('playlists /special/c.m3u8 200');
    const unmatched = await fetch(`${reversed.origin}/segment.ts`);
    expect(unmatched.status).toBe(404);
    expect(unmatched.headers.get('access-control-allow-origin')).toBe('*');
    expect(originHits('/segment.ts')).toBe(0);
  });

  test('runs the viewer-response function on cached responses too, and never caches what it returns', async () => {
    const guard = writeGuard('guard.js');
    const stand = await cdn([{ pathPattern: '*.m3u8', ttlSeconds: 60, viewerResponseFunction: guard }]);
    const get = () => fetch(`${stand.origin}/guarded/index.m3u8`);

    fnNow = T0 + 1000;
    const fresh = await get();
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toContain('version 1');

    fnNow = T0 + 7000; // the cached copy is now older than staleAfterMs
    const stale = await get();
    expect(stale.status).toBe(404);
    expect(stale.headers.get('cache-control')).toBe('no-store');
    expect(stale.headers.get('x-stale-playlist')).toBe('age=7s');
    expect(stale.headers.get('access-control-allow-origin')).toBe('*');
    expect(await stale.text()).toBe('stale playlist: not updated for 7 s\n');

    fnNow = T0 + 2000; // the 404 was not cached: the same cached 200 is served again
    const again = await get();
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('version 1');

    expect(originHits('/guarded/index.m3u8')).toBe(1);
    expect(stand.requests.map((r) => [r.cache, r.originStatus, r.functionRan, r.status])).toEqual([
      ['miss', 200, true, 200], ['hit', 200, true, 404], ['hit', 200, true, 200],
    ]);
  });

  test('answers a conditional request for a cached 200 with 304 and the cached headers, and runs the function on it', async () => {
    const tagging = writeFunction('tagging-304.js', taggingFunction('tagged'));
    const stand = await cdn([{ pathPattern: '*.m3u8', ttlSeconds: 60, viewerResponseFunction: tagging, responseHeaders: { 'cache-control': 'no-cache' } }]);
    const first = await fetch(`${stand.origin}/conditional/index.m3u8`);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const byEtag = await fetch(`${stand.origin}/conditional/index.m3u8`, { headers: { 'if-none-match': etag } });
    expect(byEtag.status).toBe(304);
    expect(byEtag.headers.get('x-viewer-response')).toBe('tagged /conditional/index.m3u8 304');
    expect(byEtag.headers.get('last-modified')).toBe(lastModified);
    const byDate = await fetch(`${stand.origin}/conditional/index.m3u8`, { headers: { 'if-modified-since': lastModified } });
    expect(byDate.status).toBe(304);
    const otherEtag = await fetch(`${stand.origin}/conditional/index.m3u8`, { headers: { 'if-none-match': '"other"', 'if-modified-since': lastModified } });
    expect(otherEtag.status).toBe(200); // If-None-Match takes precedence
    expect(originHits('/conditional/index.m3u8')).toBe(1);
  });

  test('the shipped guard turns a stale 304 into a 404 and strips validators from what it passes', async () => {
    const guard = writeGuard('guard-304.js');
    const stand = await cdn([{ pathPattern: '*.m3u8', ttlSeconds: 60, viewerResponseFunction: guard }]);
    fnNow = T0 + 1000;
    const fresh = await fetch(`${stand.origin}/conditional/index.m3u8`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBeNull();
    expect(fresh.headers.get('last-modified')).toBeNull();
    fnNow = T0 + 7000;
    const stale = await fetch(`${stand.origin}/conditional/index.m3u8`, { headers: { 'if-modified-since': new Date(T0).toUTCString() } });
    expect(stand.requests.at(-1)).toMatchObject({ originStatus: 200, functionRan: true, status: 404 });
    expect(stale.status).toBe(404);
    expect(stale.headers.get('cache-control')).toBe('no-store');
  });

  test('passes origin errors through without the function and caches them for errorTtlSeconds', async () => {
    const tagging = writeFunction('tagging.js', taggingFunction('tagged'));
    const stand = await cdn([{ pathPattern: '*', ttlSeconds: 60, viewerResponseFunction: tagging }]);
    const get = (urlPath: string) => fetch(`${stand.origin}${urlPath}`);

    const missing = await get('/missing/index.m3u8');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-viewer-response')).toBeNull();
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    expect(await missing.text()).toBe('origin: no such key\n');
    cdnNow += 999;
    expect((await get('/missing/index.m3u8')).status).toBe(404);
    cdnNow += 1; // default errorTtlSeconds is 1
    expect((await get('/missing/index.m3u8')).status).toBe(404);
    expect(originHits('/missing/index.m3u8')).toBe(2);

    const broken = await get('/broken/seg.ts');
    expect(broken.status).toBe(503);
    expect(broken.headers.get('x-viewer-response')).toBeNull();
    expect(await broken.text()).toBe('origin: slow down\n');

    const ok = await get('/ok/index.m3u8');
    expect(ok.headers.get('x-viewer-response')).toBe('tagged /ok/index.m3u8 200');
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');

    expect(stand.requests.map((r) => [r.path, r.status, r.cache, r.functionRan])).toEqual([
      ['/missing/index.m3u8', 404, 'miss', false],
      ['/missing/index.m3u8', 404, 'hit', false],
      ['/missing/index.m3u8', 404, 'miss', false],
      ['/broken/seg.ts', 503, 'miss', false],
      ['/ok/index.m3u8', 200, 'miss', true],
    ]);

    const longer = await cdn([{ pathPattern: '*', ttlSeconds: 60 }], 10);
    await fetch(`${longer.origin}/missing/longer.m3u8`);
    cdnNow += 9999;
    await fetch(`${longer.origin}/missing/longer.m3u8`);
    expect(originHits('/missing/longer.m3u8')).toBe(1);
  });

  test('keys on the allow-listed query parameters only, and forwards only the keyed and forwarded ones', async () => {
    const stand = await cdn([{ pathPattern: '*', ttlSeconds: 60, cacheKeyQueryStrings: ['a'], forwardedQueryStrings: ['f'] }]);
    const get = async (query: string) => (await fetch(`${stand.origin}/query/index.m3u8?${query}`)).text();

    expect(await get('a=1&b=2&f=3')).toContain('/origin/query/index.m3u8?a=1&f=3 version 1');
    expect(await get('b=9&a=1&f=4')).toContain('/origin/query/index.m3u8?a=1&f=3 version 1'); // same key: a hit
    expect(await get('a=2')).toContain('/origin/query/index.m3u8?a=2 version 1');
    expect(await get('f=3')).toContain('/origin/query/index.m3u8?f=3 version 1');
    expect(stand.requests.map((r) => [r.cache, r.cacheKey])).toEqual([
      ['miss', '/query/index.m3u8?a=1'], ['hit', '/query/index.m3u8?a=1'], ['miss', '/query/index.m3u8?a=2'], ['miss', '/query/index.m3u8'],
    ]);
  });

  test('passes redirects to the viewer unfollowed; caches 301/302 for the TTL and 307 only with Cache-Control', async () => {
    const alternate = await startStaticServer({
      routes: [(request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(`alternate ${request.url}\n`);
        return true;
      }],
    });
    try {
      const stand = await cdn([
        { pathPattern: 'elsewhere/*', ttlSeconds: 60, origin: `${alternate.origin}/alt` },
        { pathPattern: '*', ttlSeconds: 5, cacheKeyQueryStrings: ['status', 'cc'] },
      ]);
      const get = (query: string) => fetch(`${stand.origin}/redirect/index.m3u8?${query}`, { redirect: 'manual' });

      const found = await get('status=302');
      expect(found.status).toBe(302);
      expect(found.headers.get('location')).toBe('./target.m3u8?version=1');
      cdnNow += 4999;
      expect((await get('status=302')).headers.get('location')).toBe('./target.m3u8?version=1');
      cdnNow += 1;
      expect((await get('status=302')).headers.get('location')).toBe('./target.m3u8?version=2');
      expect((await get('status=301')).status).toBe(301);
      expect((await get('status=301')).headers.get('location')).toBe('./target.m3u8?version=1');

      expect((await get('status=307')).headers.get('location')).toBe('./target.m3u8?version=1');
      expect((await get('status=307')).headers.get('location')).toBe('./target.m3u8?version=2'); // no Cache-Control: not cached
      expect((await get('status=307&cc=1')).headers.get('location')).toBe('./target.m3u8?version=1');
      expect((await get('status=307&cc=1')).headers.get('location')).toBe('./target.m3u8?version=1');
      expect(originHits('/redirect/target.m3u8')).toBe(0); // never followed

      expect(await (await fetch(`${stand.origin}/elsewhere/x.m3u8?q=1`)).text()).toBe('alternate /alt/elsewhere/x.m3u8\n');
    } finally {
      await alternate.close();
    }
  });

  test('answers 503 when the viewer-response function throws, as CloudFront does', async () => {
    const throwing = writeFunction('throwing.js', 'function handler(event) { throw new Error(\'boom\'); }\n');
    const stand = await cdn([{ pathPattern: '*', ttlSeconds: 60, viewerResponseFunction: throwing }]);
    const response = await fetch(`${stand.origin}/throws/index.m3u8`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('boom');
    expect(stand.requests[0]).toMatchObject({ status: 503, originStatus: 200, functionRan: true });
  });
  test('runs the viewer-request function first: its response goes to the viewer, its request on to the cache and origin', async () => {
    const rewrite = writeFunction('rewrite.js', `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('/answer/') === 0) return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/moved' } } };
  request.uri = request.uri.replace('/old/', '/new/');
  request.querystring.added = { value: 'a%20b' };
  return request;
}
`);
    const front = await cdn([{ pathPattern: '*', ttlSeconds: 60, viewerRequestFunction: rewrite, forwardAllQueryStrings: true }]);
    const redirected = await fetch(`${front.origin}/answer/x.m3u8`, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('/moved');
    expect(origin.requests.some((request) => request.url.startsWith('/origin/answer/'))).toBe(false);

    const rewritten = await fetch(`${front.origin}/old/rewritten.m3u8?keep=1`);
    expect(rewritten.status).toBe(200);
    expect(origin.requests.filter((request) => request.url.startsWith('/origin/new/rewritten.m3u8')).map((request) => request.url))
      .toEqual(['/origin/new/rewritten.m3u8?keep=1&added=a%20b']);
    expect(front.requests.map((request) => [request.path, request.functionRan])).toEqual([['/answer/x.m3u8', true], ['/old/rewritten.m3u8', true]]);
  });
});
