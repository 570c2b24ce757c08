import * as http from 'http';
import { readConfig } from '../../lambda-src/pre-roll-stitcher/config';
import { createStitchHandler, SecretReader, StitchLogger, StitchMetrics } from '../../lambda-src/pre-roll-stitcher/stitch.lambda';
import { PlaybackUrl, StitchPayload } from '../../src/pre-roll-stitcher/contract/playback-url';
import { skippedBreaksHeader, stitcherEnvironment, stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';
import { LoopbackFunctionUrl, serveFunctionUrl } from '../harness/function-url';
import { LoopbackServer, startStaticServer } from '../harness/static-server';

const secret = 'handler-test-signing-secret';
const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:stitcher-AbCdEf';

/** A VOD media playlist of `count` segments `${prefix}_${i}.ts` of 2 s, or with the given EXTINF lines. */
function media(prefix: string, count: number, extinf = (_index: number) => '#EXTINF:2.000,', tail = '#EXT-X-ENDLIST'): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let i = 0; i < count; i++) lines.push(extinf(i), `${prefix}_${i}.ts`);
  return [...lines, tail, ''].join('\n');
}

function master(...variants: Array<[bandwidth: number, resolution: string, uri: string]>): string {
  return ['#EXTM3U', ...variants.flatMap(([bandwidth, resolution, uri]) => [
    `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${resolution},CODECS="avc1.4d401f,mp4a.40.2"`, uri,
  ]), ''].join('\n');
}

const contentMaster = master([800_000, '640x360', '360p.m3u8'], [2_000_000, '1280x720', '720p.m3u8']);

/** Playlists by path; a function answers the request itself. */
const playlists: Record<string, string | ((response: http.ServerResponse) => void | Promise<void>)> = {
  '/vod/master.m3u8': contentMaster,
  '/vod/360p.m3u8': media('c360', 5),
  '/vod/720p.m3u8': media('c720', 5),
  '/ad/master.m3u8': master([900_000, '640x360', 'low.m3u8'], [2_200_000, '1280x720', 'high.m3u8']),
  '/ad/low.m3u8': media('ad-low', 2),
  '/ad/high.m3u8': media('ad-high', 2),
  // an ad whose high rendition is missing: content v1 is matched to it, v0 to the low one
  '/half-ad/master.m3u8': master([900_000, '640x360', 'low.m3u8'], [2_200_000, '1280x720', 'high.m3u8']),
  '/half-ad/low.m3u8': media('half-low', 2),
  '/nan-ad/master.m3u8': master([900_000, '640x360', 'v.m3u8']),
  '/nan-ad/v.m3u8': media('nan', 2, (i) => i === 1 ? '#EXTINF:NaN,' : '#EXTINF:2.000,'),
  '/garbage-ad/master.m3u8': (response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>not a playlist</html>'),
  '/slow-ad/master.m3u8': async (response) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    response.writeHead(200).end(master([900_000, '640x360', 'v.m3u8']));
  },
  // content that breaks the rules the stitcher relies on
  '/negative/master.m3u8': master([800_000, '640x360', 'v.m3u8']),
  '/negative/v.m3u8': media('neg', 14, (i) => i === 12 ? '#EXTINF:-1,' : '#EXTINF:2.000,'),
  '/no-extinf/master.m3u8': master([800_000, '640x360', 'v.m3u8']),
  '/no-extinf/v.m3u8': ['#EXTM3U', '#EXT-X-TARGETDURATION:2', 'a.ts', 'b.ts', '#EXT-X-ENDLIST', ''].join('\n'),
  '/huge-extinf/master.m3u8': master([800_000, '640x360', 'v.m3u8']),
  '/huge-extinf/v.m3u8': media('big', 3, (i) => i === 2 ? '#EXTINF:1e308,' : '#EXTINF:2.000,'),
  // content whose second variant is unusable
  '/html-variant/master.m3u8': master([800_000, '640x360', '360p.m3u8'], [2_000_000, '1280x720', 'broken.m3u8']),
  '/html-variant/360p.m3u8': media('h360', 3),
  '/html-variant/broken.m3u8': (response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>'),
  '/empty-variant/master.m3u8': master([800_000, '640x360', '360p.m3u8'], [2_000_000, '1280x720', 'empty.m3u8']),
  '/empty-variant/360p.m3u8': media('e360', 3),
  '/empty-variant/empty.m3u8': (response) => void response.writeHead(204).end(),
  // a master behind three slow redirects
  '/redirect/0.m3u8': slowRedirect('/redirect/1.m3u8'),
  '/redirect/1.m3u8': slowRedirect('/redirect/2.m3u8'),
  '/redirect/2.m3u8': slowRedirect('/vod/master.m3u8'),
};

function slowRedirect(location: string): (response: http.ServerResponse) => Promise<void> {
  return async (response) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    response.writeHead(302, { location }).end();
  };
}

interface Recorded {
  readonly logs: Array<{ level: string; message: string; extra?: unknown }>;
  readonly metrics: Array<{ name: string; value: number }>;
}

/** A logger and metrics that keep what the handler reports. */
function recorder(): Recorded & { logger: StitchLogger; metricsSink: StitchMetrics } {
  const logs: Recorded['logs'] = [];
  const metrics: Recorded['metrics'] = [];
  const log = (level: string) => (message: string, extra?: unknown) => void logs.push({ level, message, extra });
  return {
    logs,
    metrics,
    logger: { info: log('info'), warn: log('warn'), error: log('error') } as unknown as StitchLogger,
    metricsSink: {
      addMetric: (name: string, _unit: unknown, value: number) => void metrics.push({ name, value }),
      publishStoredMetrics: () => undefined,
    } as unknown as StitchMetrics,
  };
}

describe('the stitcher handler shell (createStitchHandler with a parsed configuration)', () => {
  let upstream: LoopbackServer;
  let other: LoopbackServer;
  const running: LoopbackFunctionUrl[] = [];

  beforeAll(async () => {
    upstream = await startStaticServer({
      routes: [async (request, response) => {
        const answer = playlists[new URL(request.url ?? '/', 'http://127.0.0.1').pathname];
        if (answer === undefined) return false;
        if (typeof answer === 'string') response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(answer);
        else await answer(response);
        return true;
      }],
    });
    other = await startStaticServer({ routes: [(_request, response) => (response.writeHead(200).end(playlists['/ad/master.m3u8'] as string), true)] });
  });

  afterAll(async () => {
    await Promise.all(running.map((functionUrl) => functionUrl.close()));
    await upstream?.close();
    await other?.close();
  });

  /** A handler configured as the construct would, with these variables on top; served on loopback. */
  async function start(env: Record<string, string> = {}, secrets: SecretReader = async () => secret) {
    const recorded = recorder();
    const config = readConfig({
      [stitcherEnvironment.allowedOrigins]: `127.0.0.1:${upstream.port}`,
      [stitcherEnvironment.allowHttp]: 'true',
      [stitcherEnvironment.signingSecretArn]: secretArn,
      [stitcherEnvironment.upstreamTimeoutMs]: '800',
      ...env,
    });
    const functionUrl = await serveFunctionUrl(createStitchHandler({ config, secrets, logger: recorded.logger, metrics: recorded.metricsSink }));
    running.push(functionUrl);
    const get = async (payload: StitchPayload, path = '/master.m3u8', extra = '') => {
      const url = PlaybackUrl.sign({ baseUrl: functionUrl.origin, payload, signingSecret: secret }).replace('/master.m3u8', path) + extra;
      const response = await fetch(url);
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    return { get, recorded };
  }

  const at = (path: string) => `${upstream.origin}${path}`;
  const discontinuities = (body: string) => body.split('\n').filter((line) => line === '#EXT-X-DISCONTINUITY').length;
  const expectContentOnly = (body: string) => {
    expect(body).toContain('c360_0.ts');
    expect(body).not.toMatch(/ad-|half-|nan_/);
  };

  describe('an ad never breaks the content: a failed ad is skipped in every rendition alike', () => {
    test.each([
      ['answers 404', '/missing-ad/master.m3u8', /answered 404/],
      ['is not a playlist', '/garbage-ad/master.m3u8', /not a usable playlist/],
      ['does not answer within upstreamTimeout', '/slow-ad/master.m3u8', /did not answer within 800 ms/],
      ['has EXTINF:NaN in its media playlist', '/nan-ad/master.m3u8', /segment 1 has EXTINF NaN; RFC 8216 4\.3\.2\.1/],
    ])('an ad that %s is skipped with a header, a metric and a log line naming the reason', async (_what, adPath, reason) => {
      const { get, recorded } = await start();
      const payload = { contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 0, adUri: at(adPath) }, { positionMs: 4000, adUri: at('/ad/master.m3u8') }] };

      for (const rendition of ['v0', 'v1']) {
        const response = await get(payload, '/media.m3u8', `&r=${rendition}`);
        expect(response.status).toBe(200);
        expect(response.headers.get(skippedBreaksHeader)).toBe('1');
        expect(discontinuities(response.body)).toBe(2); // the good mid-roll only
        expect(response.headers.get('cache-control')).toBe('public, max-age=30');
      }
      expect(recorded.metrics).toContainEqual({ name: stitcherMetrics.skippedBreaks, value: 1 });
      expect(recorded.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(reason) }));
    });

    test('an ad on a host outside the allow-list is skipped, not a 403', async () => {
      const { get } = await start();
      const response = await get({ contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 0, adUri: `${other.origin}/ad/master.m3u8` }] }, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(200);
      expect(response.headers.get(skippedBreaksHeader)).toBe('1');
      expectContentOnly(response.body);
    });

    test('an ad whose rendition for one content variant is missing gives that variant its nearest rendition that works, so all keep one structure', async () => {
      const { get } = await start();
      const payload = { contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 4000, adUri: at('/half-ad/master.m3u8') }] };
      const [v0, v1] = [await get(payload, '/media.m3u8', '&r=v0'), await get(payload, '/media.m3u8', '&r=v1')];
      expect([v0.status, v1.status]).toEqual([200, 200]);
      expect([discontinuities(v0.body), discontinuities(v1.body)]).toEqual([2, 2]);
      expect([v0.headers.get(skippedBreaksHeader), v1.headers.get(skippedBreaksHeader)]).toEqual([null, null]);
      for (const variant of [v0, v1]) expect(variant.body).toContain('half-low');
    });

    test('the ads of one payload share one playlist\'s byte budget, each an equal part; an ad past its part is skipped, the content never', async () => {
      const { get } = await start({ [stitcherEnvironment.maxUpstreamBytes]: '1024' });
      const payload = { contentUri: at('/vod/master.m3u8'), breaks: [0, 2000, 4000, 6000].map((positionMs) => ({ positionMs, adUri: `${at('/ad/master.m3u8')}?n=${positionMs}` })) };
      const response = await get(payload, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(200);
      expect(Number(response.headers.get(skippedBreaksHeader))).toBeGreaterThan(0);
      expect(response.body).toContain('c360_4.ts');
    });

    test('in Interstitials mode, a failed ad is left out of the asset list, which still lists the others', async () => {
      const { get } = await start({ [stitcherEnvironment.outputMode]: 'interstitials' });
      const payload = { contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 0, adUri: at('/missing-ad/master.m3u8') }, { positionMs: 0, adUri: at('/ad/master.m3u8') }] };
      const response = await get(payload, '/asset-list.json', '&pod=0');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ ASSETS: [{ URI: at('/ad/master.m3u8'), DURATION: 4 }] });
      expect(response.headers.get(skippedBreaksHeader)).toBe('1');
    });

    test('content failures are still errors: a missing content rendition is a 502', async () => {
      const { get } = await start();
      const response = await get({ contentUri: at('/vod/missing.m3u8'), breaks: [] });
      expect(response.status).toBe(502);
      expect(response.body).toMatch(/^content: upstream .*\/vod\/missing\.m3u8 answered 404\n$/);
    });
  });

  describe('no injection: every URI written is normalized, allow-listed and quoted-string safe', () => {
    const injected = (origin: string) => `${origin}/ad/master.m3u8?a=1"\n#EXT-X-INJECTED:1\n#EXTINF:4,\nhttp://127.0.0.1:9/injected.ts\n#x="`;

    test('an ad URI with quotes and line breaks comes back as one percent-encoded X-ASSET-URI, never as tags', async () => {
      const { get } = await start({ [stitcherEnvironment.outputMode]: 'interstitials' });
      const response = await get({ contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 0, adUri: injected(upstream.origin) }] }, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(200);
      expect(response.body).not.toMatch(/^#EXT-X-INJECTED|injected\.ts$/m);
      const assetUri = /X-ASSET-URI="([^"]*)"/.exec(response.body)?.[1];
      expect(assetUri).toBe(new URL(injected(upstream.origin)).href);
      expect(response.body.split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE'))).toHaveLength(1);
    });

    test('an Interstitials ad URI outside the allow-list is never written (169.254.169.254)', async () => {
      const { get } = await start({ [stitcherEnvironment.outputMode]: 'interstitials' });
      const response = await get({ contentUri: at('/vod/master.m3u8'), breaks: [{ positionMs: 0, adUri: 'http://169.254.169.254/latest/meta-data/' }] }, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(200);
      expect(response.body).not.toContain('169.254');
      expect(response.headers.get(skippedBreaksHeader)).toBe('1');
    });
  });

  describe('bounded time: one deadline for the whole request', () => {
    test('a master behind three slow redirects ends in a 504 naming the upstream when the request deadline runs out', async () => {
      const { get } = await start({ [stitcherEnvironment.requestDeadlineMs]: '1000' });
      const started = Date.now();
      const response = await get({ contentUri: at('/redirect/0.m3u8'), breaks: [] });
      expect(response.status).toBe(504);
      expect(response.body).toMatch(/ran out of time waiting for upstream http:\/\/127\.0\.0\.1:\d+\/redirect\/1\.m3u8/);
      expect(Date.now() - started).toBeLessThan(3 * 600); // each hop alone is within upstreamTimeout; the three are not
    });
  });

  describe('the multivariant playlist is handed out only when every rendition can be stitched', () => {
    test.each([
      ['HTML', '/html-variant/master.m3u8', /content rendition v1: upstream .*\/broken\.m3u8 is not a usable playlist/],
      ['204 No Content', '/empty-variant/master.m3u8', /content rendition v1: upstream .*\/empty\.m3u8 (answered 204|is not a usable playlist)/],
    ])('a variant answering %s is a 502 naming the variant, not cached', async (_what, contentPath, reason) => {
      const { get } = await start();
      const response = await get({ contentUri: at(contentPath), breaks: [] });
      expect(response.status).toBe(502);
      expect(response.body).toMatch(reason);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('invalid HLS in is refused with a reason a person can act on', () => {
    test.each([
      ['EXTINF -1', '/negative/master.m3u8', /^content rendition v0: upstream .*\/negative\/v\.m3u8 is not a usable playlist: invalid playlist: segment 12 has EXTINF -1; RFC 8216 4\.3\.2\.1 requires a non-negative decimal number of seconds\n$/],
      ['a URI line without EXTINF', '/no-extinf/master.m3u8', /segment 0 \(a\.ts\) has no EXTINF; RFC 8216 4\.3\.2\.1 requires one before every media segment URI\n$/],
      ['EXTINF 1e308', '/huge-extinf/master.m3u8', /segment 2 has EXTINF 1e308; RFC 8216 4\.3\.2\.1 requires a non-negative decimal/],
    ])('content with %s is a 502 saying which segment and which rule', async (_what, contentPath, reason) => {
      const { get } = await start();
      const response = await get({ contentUri: at(contentPath), breaks: [] }, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(502);
      expect(response.body).toMatch(reason);
      expect(response.body).not.toMatch(/destructure|mapTo|undefined/);
    });

    test('an EXTINF longer than a day is refused even when it is a decimal', async () => {
      const { get } = await start();
      playlists['/long/master.m3u8'] = master([800_000, '640x360', 'v.m3u8']);
      playlists['/long/v.m3u8'] = media('long', 2, (i) => i === 1 ? '#EXTINF:90000,' : '#EXTINF:2.000,');
      const response = await get({ contentUri: at('/long/master.m3u8'), breaks: [] }, '/media.m3u8', '&r=v0');
      expect(response.status).toBe(502);
      expect(response.body).toMatch(/segment 1 has EXTINF 90000, longer than the 86400 s the stitcher accepts/);
    });

    test('Secrets Manager failing is a 502 naming Secrets Manager', async () => {
      const failing: SecretReader = async () => {
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalServiceError' });
      };
      const { get, recorded } = await start({}, failing);
      const response = await get({ contentUri: at('/vod/master.m3u8'), breaks: [] });
      expect(response.status).toBe(502);
      expect(response.body).toMatch(/^Secrets Manager did not return the signing secret arn:aws:secretsmanager:.*: InternalServiceError/);
      expect(recorded.logs.filter((log) => log.message === 'stitching failed unexpectedly')).toEqual([]);
    });

    test('the signing secret is read once and reused across requests', async () => {
      let reads = 0;
      const { get } = await start({}, async () => (reads++, secret));
      await get({ contentUri: at('/vod/master.m3u8'), breaks: [] });
      await get({ contentUri: at('/vod/master.m3u8'), breaks: [] });
      expect(reads).toBe(1);
    });
  });
});
