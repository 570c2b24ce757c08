import { StitchError } from '../../lambda-src/pre-roll-stitcher/errors';
import {
  handleStitchRequest, internalErrorResponse, StitchHttpDependencies, StitchHttpRequest, StitchHttpResponse, stitcherPath,
} from '../../lambda-src/pre-roll-stitcher/http';
import { StitchRequestSpec } from '../../lambda-src/pre-roll-stitcher/payload';
import { StitchedResponse, Stitcher, StitchRouting } from '../../lambda-src/pre-roll-stitcher/stitcher';
import { stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/contract/playback-url';

const secret = 'test-signing-secret';
const contentUri = 'https://cdn.example.com/vod/movie/master.m3u8';
const adUri = 'https://ads.example.net/ad/master.m3u8';
const payload = PlaybackUrl.encodePayload({ contentUri, breaks: [{ positionMs: 0, adUri }] });
const sig = PlaybackUrl.signatureOf(payload, secret);
const playlist = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\nmedia.m3u8?r=v0\n';

interface Call {
  readonly method: 'multivariant' | 'media' | 'assetList';
  readonly spec: StitchRequestSpec;
  readonly renditionId?: string;
  readonly podIndex?: number;
  readonly routing?: StitchRouting;
}

/** A Stitcher that records its calls and answers `answer` (or throws what `answer` throws). */
function fakeStitcher(answer: () => StitchedResponse = () => ok(playlist)): { stitcher: Stitcher; calls: Call[] } {
  const calls: Call[] = [];
  const stitcher = {
    multivariant: async (spec: StitchRequestSpec, routing: StitchRouting) => {
      calls.push({ method: 'multivariant', spec, routing });
      return answer();
    },
    media: async (spec: StitchRequestSpec, renditionId: string | undefined, routing: StitchRouting) => {
      calls.push({ method: 'media', spec, renditionId, routing });
      return answer();
    },
    assetList: async (spec: StitchRequestSpec, podIndex: number) => {
      calls.push({ method: 'assetList', spec, podIndex });
      return answer();
    },
  } as unknown as Stitcher;
  return { stitcher, calls };
}

function ok(body: string, skippedBreaks: StitchedResponse['skippedBreaks'] = []): StitchedResponse {
  return { body, contentType: 'application/vnd.apple.mpegurl', skippedBreaks };
}

/** Passed as the secret when payloads are not signed (signingSecret resolves undefined). */
const unsigned = null;

function deps(stitcher: Stitcher, signingSecret: string | null = secret): StitchHttpDependencies {
  return {
    stitcher,
    payloadLimits: { maxPayloadLength: 4096, maxBreaks: 16 },
    signingSecret: async () => signingSecret ?? undefined,
    responseMaxAgeSeconds: 600,
  };
}

function get(path: string, query: Record<string, string | undefined> = { payload, sig }, method = 'GET'): StitchHttpRequest {
  return { method, path, query };
}

async function handle(request: StitchHttpRequest, signingSecret: string | null = secret): Promise<StitchHttpResponse> {
  return handleStitchRequest(request, deps(fakeStitcher().stitcher, signingSecret));
}

function expectError(response: StitchHttpResponse, status: number, body: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toBe(`${body}\n`);
}

describe('handleStitchRequest', () => {
  describe('methods and paths', () => {
    test('answers POST with 405', async () => {
      expectError(await handle(get('/master.m3u8', { payload, sig }, 'POST')), 405, 'method POST is not allowed: the stitcher answers GET and HEAD');
    });

    test('answers HEAD like GET', async () => {
      expect((await handle(get('/master.m3u8', { payload, sig }, 'HEAD'))).status).toBe(200);
    });

    test('answers an unknown path with 404 listing the paths served', async () => {
      const response = await handle(get('/index.m3u8'));

      expect(response.status).toBe(404);
      expect(response.body).toMatch(/^unknown path \/index\.m3u8: the stitcher serves /);
      for (const path of ['/master.m3u8', '/media.m3u8', '/asset-list.json']) expect(response.body).toContain(path);
    });

    test('answers /empty.vtt with an empty WebVTT document', async () => {
      const response = await handle(get('/empty.vtt', {}));

      expect(response.status).toBe(200);
      expect(response.body).toBe('WEBVTT\n');
      expect(response.headers['content-type']).toBe('text/vtt');
    });

    test('answers /empty.vtt without payload or signature although a secret is configured', async () => {
      expect((await handle(get('/empty.vtt', {}), secret)).status).toBe(200);
    });

    test('caches /empty.vtt like any successful response', async () => {
      expect((await handle(get('/empty.vtt', {}))).headers['cache-control']).toBe('public, max-age=600');
    });
  });

  describe('payload and signature', () => {
    test('answers a missing payload with 400', async () => {
      expectError(await handle(get('/master.m3u8', { sig })), 400, 'missing payload query parameter');
    });

    test('answers a missing signature with 403 when a secret is configured', async () => {
      expectError(await handle(get('/master.m3u8', { payload })), 403, 'missing sig query parameter: payloads must be signed');
    });

    test('answers a bad signature with 403', async () => {
      const forged = PlaybackUrl.signatureOf(payload, 'another-secret');

      expectError(await handle(get('/master.m3u8', { payload, sig: forged })), 403, 'bad payload signature');
    });

    test('answers the signature of another payload with 403', async () => {
      const other = PlaybackUrl.encodePayload({ contentUri: 'https://cdn.example.com/other/master.m3u8', breaks: [] });

      expectError(await handle(get('/master.m3u8', { payload: other, sig })), 403, 'bad payload signature');
    });

    test('checks the signature before decoding the payload', async () => {
      expect((await handle(get('/master.m3u8', { payload: 'not-a-payload', sig }))).status).toBe(403);
    });

    test('needs no signature when signingSecret resolves undefined', async () => {
      const { stitcher, calls } = fakeStitcher();

      const response = await handleStitchRequest(get('/master.m3u8', { payload }), deps(stitcher, unsigned));

      expect(response.status).toBe(200);
      expect(calls).toHaveLength(1);
    });

    test('ignores a wrong signature when signingSecret resolves undefined', async () => {
      expect((await handle(get('/master.m3u8', { payload, sig: 'whatever' }), unsigned)).status).toBe(200);
    });

    test('answers a malformed payload with 400 and the decoder\'s reason', async () => {
      const bad = Buffer.from(JSON.stringify({ uri: 'file:///etc/passwd' })).toString('base64url');

      expectError(await handle(get('/master.m3u8', { payload: bad }), unsigned), 400, 'payload "uri" must be http(s), got file:');
    });

    test('hands the stitcher the decoded payload', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      expect(calls[0].spec).toEqual({ contentUri, breaks: [{ positionMs: 0, adUri }] });
    });

    test('propagates a failure to read the secret', async () => {
      const failing: StitchHttpDependencies = { ...deps(fakeStitcher().stitcher), signingSecret: async () => { throw new Error('AccessDenied'); } };

      await expect(handleStitchRequest(get('/master.m3u8'), failing)).rejects.toThrow('AccessDenied');
    });
  });

  describe('routing', () => {
    test('sends /master.m3u8 to Stitcher.multivariant', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      expect(calls.map((c) => c.method)).toEqual(['multivariant']);
    });

    test('sends /media.m3u8 to Stitcher.media with the rendition id', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/media.m3u8', { payload, sig, r: 'a1' }), deps(stitcher));

      expect(calls.map((c) => [c.method, c.renditionId])).toEqual([['media', 'a1']]);
    });

    test('sends /media.m3u8 without rendition id to Stitcher.media with undefined', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/media.m3u8'), deps(stitcher));

      expect(calls[0].renditionId).toBeUndefined();
    });

    test('sends /asset-list.json to Stitcher.assetList with the pod index', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/asset-list.json', { payload, sig, pod: '2' }), deps(stitcher));

      expect(calls.map((c) => [c.method, c.podIndex])).toEqual([['assetList', 2]]);
    });

    test.each(['x', '-1', '1.5', '', '0x1', '1e3', ' 1'])('answers pod=%s with 400', async (pod) => {
      expectError(await handle(get('/asset-list.json', { payload, sig, pod })), 400, `pod must be a pod index, got '${pod}'`);
    });

    test('answers a missing pod with 400', async () => {
      expectError(await handle(get('/asset-list.json', { payload, sig })), 400, 'pod must be a pod index, got \'\'');
    });

    test('hands the stitcher relative routing URIs carrying the same payload and signature', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      const routing = calls[0].routing!;
      expect(routing.mediaUri('v0')).toBe(`media.m3u8?payload=${payload}&sig=${sig}&r=v0`);
      expect(routing.assetListUri(1)).toBe(`asset-list.json?payload=${payload}&sig=${sig}&pod=1`);
      expect(routing.emptyWebVttUri).toBe('empty.vtt');
    });

    test('hands Stitcher.media the same routing', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/media.m3u8', { payload, sig, r: 'v1' }), deps(stitcher));

      expect(calls[0].routing!.assetListUri(0)).toBe(`asset-list.json?payload=${payload}&sig=${sig}&pod=0`);
    });

    test('leaves the signature out of routing URIs when the request has none', async () => {
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/master.m3u8', { payload }), deps(stitcher, unsigned));

      expect(calls[0].routing!.mediaUri('s0')).toBe(`media.m3u8?payload=${payload}&r=s0`);
    });

    test('escapes a standard base64 payload in routing URIs so it survives the round trip', async () => {
      const seedPayload = Buffer.from(JSON.stringify({ uri: 'https://cdn.example.com/vod/movie/master.m3u8?a=1', breaks: [] })).toString('base64');
      const { stitcher, calls } = fakeStitcher();

      await handleStitchRequest(get('/master.m3u8', { payload: seedPayload }), deps(stitcher, unsigned));

      const uri = calls[0].routing!.mediaUri('v0');
      expect(new URLSearchParams(uri.slice(uri.indexOf('?') + 1)).get('payload')).toBe(seedPayload);
    });
  });

  describe('successful responses', () => {
    test('carry the stitcher\'s body and content type', async () => {
      const response = await handle(get('/master.m3u8'));

      expect(response.status).toBe(200);
      expect(response.body).toBe(playlist);
      expect(response.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    });

    test('are publicly cacheable for responseMaxAgeSeconds', async () => {
      expect((await handle(get('/master.m3u8'))).headers['cache-control']).toBe('public, max-age=600');
    });

    test('may be read by players on any origin', async () => {
      expect((await handle(get('/master.m3u8'))).headers['access-control-allow-origin']).toBe('*');
    });

    test('have no skipped-breaks header when no break was skipped', async () => {
      expect((await handle(get('/master.m3u8'))).headers).not.toHaveProperty('x-stitcher-skipped-breaks');
    });

    test('count the skipped breaks in x-stitcher-skipped-breaks', async () => {
      const skipped = [
        { adUri, positionMs: 0, reason: 'no compatible rendition', failed: false },
        { adUri: `${adUri}?2`, positionMs: -1, reason: 'no compatible rendition', failed: false },
      ];
      const { stitcher } = fakeStitcher(() => ok(playlist, skipped));

      const response = await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      expect(response.status).toBe(200);
      expect(response.headers['x-stitcher-skipped-breaks']).toBe('2');
      expect(response.headers['cache-control']).toBe('public, max-age=600');
    });

    test('are kept only briefly when an ad was skipped because it failed: it may work again, and other renditions may have it', async () => {
      const skipped = [{ adUri, positionMs: 0, reason: 'ad: upstream answered 503', failed: true }];
      const { stitcher } = fakeStitcher(() => ok(playlist, skipped));

      const response = await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      expect(response.headers['cache-control']).toBe(`public, max-age=${stitcherHandlerLimits.failedAdMaxAgeSeconds}`);
    });
  });

  describe('error responses', () => {
    test('are not cached, plain text, and one line ending in a newline', async () => {
      const response = await handle(get('/master.m3u8', { payload }));

      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toMatch(/^[^\n]+\n$/);
    });

    test('carry the status and one-line reason of a StitchError thrown by the stitcher', async () => {
      const { stitcher } = fakeStitcher(() => {
        throw StitchError.badGateway('upstream https://cdn.example.com/vod/movie/master.m3u8\nanswered   503');
      });

      const response = await handleStitchRequest(get('/master.m3u8'), deps(stitcher));

      expectError(response, 502, 'upstream https://cdn.example.com/vod/movie/master.m3u8 answered 503');
      expect(response.headers['cache-control']).toBe('no-store');
    });

    test('carry a 504 StitchError through', async () => {
      const { stitcher } = fakeStitcher(() => {
        throw StitchError.gatewayTimeout('upstream timed out');
      });

      expectError(await handleStitchRequest(get('/media.m3u8', { payload, sig, r: 'v0' }), deps(stitcher)), 504, 'upstream timed out');
    });

    test('let a failure that is not a StitchError propagate', async () => {
      const bug = new TypeError('cannot read properties of undefined');
      const { stitcher } = fakeStitcher(() => {
        throw bug;
      });

      await expect(handleStitchRequest(get('/master.m3u8'), deps(stitcher))).rejects.toBe(bug);
    });
  });
});

describe('internalErrorResponse', () => {
  test('is a 502 with a generic one-line reason and no detail', () => {
    const response = internalErrorResponse();

    expect(response.status).toBe(502);
    expect(response.body).toBe('the stitcher failed to build this playlist\n');
    expect(response.body).not.toMatch(/\bat\b|Error|stack/);
  });

  test('is not cached and is plain text', () => {
    const response = internalErrorResponse();

    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('stitcherPath', () => {
  test('strips the path prefix', () => {
    expect(stitcherPath('/stitch/master.m3u8', '/stitch')).toBe('/master.m3u8');
  });

  test('leaves a path outside the prefix unchanged', () => {
    expect(stitcherPath('/master.m3u8', '/stitch')).toBe('/master.m3u8');
  });

  test('does not strip a prefix that only matches part of a segment', () => {
    expect(stitcherPath('/stitcher/master.m3u8', '/stitch')).toBe('/stitcher/master.m3u8');
  });

  test('strips the prefix only once', () => {
    expect(stitcherPath('/stitch/stitch/master.m3u8', '/stitch')).toBe('/stitch/master.m3u8');
  });

  test('leaves the bare prefix unchanged', () => {
    expect(stitcherPath('/stitch', '/stitch')).toBe('/stitch');
  });

  test('leaves every path unchanged when the prefix is empty', () => {
    expect(stitcherPath('/stitch/master.m3u8', '')).toBe('/stitch/master.m3u8');
  });
});
