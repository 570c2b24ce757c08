import { RunningStitcher, startStitcherBundle, testSigningSecret } from './stitcher-bundle';
import { PlaybackUrl, StitchPayload } from '../../src/pre-roll-stitcher/contract/playback-url';
import { skippedBreaksHeader, stitcherEnvironment, stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';
import { LoopbackServer, startStaticServer } from '../harness/static-server';

/** Small playlists served by an upstream on loopback: what the bundle fetches. */
const upstreamPlaylists: Record<string, string> = {
  '/vod/master.m3u8': [
    '#EXTM3U', '#EXT-X-VERSION:3',
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"', '360p.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"', '720p.m3u8', '',
  ].join('\n'),
  '/vod/360p.m3u8': media('seg', 5, '.ts'),
  '/vod/720p.m3u8': media('hd', 5, '.ts'),
  '/ads/ts/master.m3u8': ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.4d401e,mp4a.40.2"', 'ad.m3u8', ''].join('\n'),
  '/ads/ts/ad.m3u8': media('ad', 2, '.ts'),
  '/ads/fmp4/master.m3u8': ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.4d401e,mp4a.40.2"', 'ad.m3u8', ''].join('\n'),
  '/ads/fmp4/ad.m3u8': media('ad', 2, '.m4s', '#EXT-X-MAP:URI="init.mp4"'),
  '/garbage.m3u8': 'this is not a playlist\n',
  '/live/master.m3u8': ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2"', 'live.m3u8', ''].join('\n'),
  '/live/live.m3u8': media('live', 3, '.ts').replace('#EXT-X-PLAYLIST-TYPE:VOD\n', '').replace('#EXT-X-ENDLIST\n', ''),
};

function media(prefix: string, segments: number, extension: string, header = ''): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', header];
  for (let i = 0; i < segments; i++) lines.push('#EXTINF:2.000,', `${prefix}_${i}${extension}`);
  return [...lines.filter((line) => line !== ''), '#EXT-X-ENDLIST', ''].join('\n');
}

describe('the shipped stitcher bundle answers every request with a playlist or a one-line reason', () => {
  let upstream: LoopbackServer;
  let forbiddenUpstream: LoopbackServer;
  let stitcher: RunningStitcher;
  let closedPort: number;

  beforeAll(async () => {
    const closed = await startStaticServer();
    closedPort = closed.port;
    await closed.close();
    upstream = await startStaticServer({
      routes: [async (request, response) => {
        const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
        if (path === '/slow.m3u8') {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          response.writeHead(200).end(upstreamPlaylists['/vod/master.m3u8']);
          return true;
        }
        if (path === '/redirect-away.m3u8') {
          response.writeHead(302, { location: `${forbiddenUpstream.origin}/vod/master.m3u8` }).end();
          return true;
        }
        if (path === '/huge.m3u8') {
          response.writeHead(200).end(media('x', 20000, '.ts'));
          return true;
        }
        const playlist = upstreamPlaylists[path];
        if (playlist === undefined) return false;
        response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(playlist);
        return true;
      }],
    });
    forbiddenUpstream = await startStaticServer({ routes: [(_request, response) => (response.writeHead(200).end('#EXTM3U\n'), true)] });
    stitcher = await startStitcherBundle({
      [stitcherEnvironment.allowedOrigins]: `127.0.0.1:${upstream.port},127.0.0.1:${closedPort}`,
      [stitcherEnvironment.upstreamTimeoutMs]: '500',
      [stitcherEnvironment.maxUpstreamBytes]: String(256 * 1024),
      [stitcherEnvironment.maxBreaks]: '4',
    });
  }, 60_000);

  afterAll(async () => {
    await stitcher?.stop();
    await upstream?.close();
    await forbiddenUpstream?.close();
  });

  const content = (path = '/vod/master.m3u8') => `${upstream.origin}${path}`;
  const signed = (payload: StitchPayload, path = '/master.m3u8', extra = '') =>
    PlaybackUrl.sign({ baseUrl: stitcher.functionUrl.origin, payload, signingSecret: testSigningSecret }).replace('/master.m3u8', path) + extra;
  const get = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const expectRefusal = (response: { status: number; body: string; headers: Headers }, status: number, reason: RegExp) => {
    expect({ status: response.status, body: response.body }).toEqual({ status, body: expect.stringMatching(reason) });
    expect(response.body.trimEnd().split('\n')).toHaveLength(1);
    expect(response.body).not.toMatch(/\bat \S+ \(|node_modules|\.js:\d+/); // no stack trace
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  test('a signed request gets the multivariant playlist with every variant routed through the stitcher', async () => {
    const response = await get(signed({ contentUri: content(), breaks: [{ positionMs: 0, adUri: `${upstream.origin}/ads/ts/master.m3u8` }] }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(response.body.split('\n').filter((line) => line.startsWith('media.m3u8?'))).toHaveLength(2);
    expect(response.body).not.toContain(upstream.origin);
  });

  test('a malformed payload is a 400', async () => {
    const payload = 'not-json';
    const url = `${stitcher.functionUrl.origin}/master.m3u8?payload=${payload}&sig=${PlaybackUrl.signatureOf(payload, testSigningSecret)}`;
    expectRefusal(await get(url), 400, /^payload is not base64url-encoded JSON/);
  });

  test('more breaks than allowed is a 400 naming the limit', async () => {
    const adUri = `${upstream.origin}/ads/ts/master.m3u8`;
    const breaks = [0, 1, 2, 3, 4].map((n) => ({ positionMs: n * 2000, adUri }));
    expectRefusal(await get(signed({ contentUri: content(), breaks })), 400, /payload has 5 breaks, the limit is 4/);
  });

  test('a missing or wrong signature is a 403', async () => {
    const url = signed({ contentUri: content(), breaks: [] });
    expectRefusal(await get(url.replace(/&sig=[^&]+/, '')), 403, /missing sig query parameter/);
    expectRefusal(await get(url.replace(/sig=[^&]+/, 'sig=AAAA')), 403, /^bad payload signature/);
  });

  test('a host outside the allow-list is a 403 naming it, before anything is fetched', async () => {
    const before = forbiddenUpstream.requests.length;
    expectRefusal(await get(signed({ contentUri: `${forbiddenUpstream.origin}/vod/master.m3u8`, breaks: [] })), 403,
      new RegExp(`host 127.0.0.1:${forbiddenUpstream.port} is not in the stitcher's allowed origins`));
    expect(forbiddenUpstream.requests.length).toBe(before);
  });

  test('a redirect to a host outside the allow-list is a 403 and is not followed', async () => {
    const before = forbiddenUpstream.requests.length;
    expectRefusal(await get(signed({ contentUri: content('/redirect-away.m3u8'), breaks: [] })), 403, /is not in the stitcher's allowed origins/);
    expect(forbiddenUpstream.requests.length).toBe(before);
  });

  test('an unknown rendition is a 404 listing the valid ones', async () => {
    const url = signed({ contentUri: content(), breaks: [] }, '/media.m3u8', '&r=v9');
    expectRefusal(await get(url), 404, /^unknown rendition v9: valid renditions are v0, v1$/m);
  });

  test('an upstream 404 is a 502 naming the upstream URL and its status', async () => {
    expectRefusal(await get(signed({ contentUri: content('/missing.m3u8'), breaks: [] })), 502,
      new RegExp(`upstream ${upstream.origin}/missing.m3u8 answered 404`));
  });

  test('an upstream that is not a playlist is a 502 saying why', async () => {
    expectRefusal(await get(signed({ contentUri: content('/garbage.m3u8'), breaks: [] })), 502, /is not a usable playlist: invalid playlist/);
  });

  test('live content (no EXT-X-ENDLIST) is a 502 saying only VOD can be stitched', async () => {
    const url = signed({ contentUri: content('/live/master.m3u8'), breaks: [] }, '/media.m3u8', '&r=v0');
    expectRefusal(await get(url), 502, /content rendition v0 \(.*\/live\/live.m3u8\) is a live playlist without EXT-X-ENDLIST: only VOD can be stitched/);
  });

  test('an upstream over the size limit is a 502 naming the limit', async () => {
    expectRefusal(await get(signed({ contentUri: content('/huge.m3u8'), breaks: [] })), 502, /over the 262144 byte limit/);
  });

  test('an upstream slower than the timeout is a 504 naming it', async () => {
    expectRefusal(await get(signed({ contentUri: content('/slow.m3u8'), breaks: [] })), 504, /upstream .*\/slow.m3u8 did not answer within 500 ms/);
  });

  test('an unreachable upstream is a 502 naming it', async () => {
    expectRefusal(await get(signed({ contentUri: `http://127.0.0.1:${closedPort}/vod/master.m3u8`, breaks: [] })), 502,
      new RegExp(`upstream http://127.0.0.1:${closedPort}/vod/master.m3u8 is unreachable: ECONNREFUSED`));
  });

  test('an ad with no compatible rendition is skipped, counted in a header and a metric, logged with its reason, never a broken stream', async () => {
    const payload = {
      contentUri: content(),
      breaks: [
        { positionMs: 0, adUri: `${upstream.origin}/ads/fmp4/master.m3u8` },
        { positionMs: 4000, adUri: `${upstream.origin}/ads/ts/master.m3u8` },
      ],
    };
    stitcher.stdout.length = 0;
    const response = await get(signed(payload, '/media.m3u8', '&r=v0'));
    expect(response.status).toBe(200);
    expect(response.headers.get(skippedBreaksHeader)).toBe('1');
    expect(response.body).not.toContain('/ads/fmp4/');
    expect(response.body.match(/#EXT-X-DISCONTINUITY/g)).toHaveLength(2);
    const printed = (marker: string) => stitcher.stdout.map((line) => line.trim())
      .filter((line) => line.includes(marker)).map((line) => JSON.parse(line));
    expect(printed('"_aws"')).toContainEqual(expect.objectContaining({
      [stitcherMetrics.skippedBreaks]: 1,
      _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: stitcherMetrics.namespace })] }),
    }));
    expect(printed('"served"').at(-1).skippedBreaks).toEqual([expect.objectContaining({
      adUri: `${upstream.origin}/ads/fmp4/master.m3u8`, positionMs: 0, reason: expect.stringMatching(/no ts rendition/),
    })]);
  });

  test('a HEAD gets headers without a body; other methods are a 405', async () => {
    const url = signed({ contentUri: content(), breaks: [] });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(url, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });
});
