import { absolutizePlaylist, MediaPlaylist, MultivariantPlaylist, parsePlaylist, Playlist, validateMediaPlaylist } from '../../lambda-src/hls';
import { StitchError } from '../../lambda-src/pre-roll-stitcher/errors';
import { StitchRequestSpec } from '../../lambda-src/pre-roll-stitcher/payload';
import { groupPods, PlaylistLoader, Stitcher, StitcherOptions, StitchRouting } from '../../lambda-src/pre-roll-stitcher/stitcher';
import { stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';

const contentHost = 'https://origin.example';
const contentUri = `${contentHost}/vod/movie/master.m3u8`;
const tsAdUri = 'https://ads.example/ts-spot/master.m3u8';
const fmp4AdUri = 'https://ads.example/fmp4-spot/master.m3u8';
const noIFramesAdUri = 'https://ads.example/short-spot/master.m3u8';

/** A VOD media playlist of segments `${prefix}${index}.${extension}` with these durations. */
function vod(durations: number[], prefix: string, extension: string, header = ''): string {
  const target = Math.max(...durations.map(Math.round));
  const segments = durations.map((duration, index) => `#EXTINF:${duration.toFixed(3)},\n${prefix}${index}.${extension}`).join('\n');
  return `#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:${target}\n#EXT-X-PLAYLIST-TYPE:VOD\n${header}${segments}\n#EXT-X-ENDLIST\n`;
}

/** An I-frame playlist whose I-frames are byte ranges of the TS segments `${prefix}${index}.ts`. */
function iframes(durations: number[], prefix: string): string {
  const target = Math.max(...durations.map(Math.round));
  const frames = durations.map((duration, index) => `#EXTINF:${duration.toFixed(3)},\n#EXT-X-BYTERANGE:18800@376\n${prefix}${index}.ts`).join('\n');
  return `#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:${target}\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-I-FRAMES-ONLY\n${frames}\n#EXT-X-ENDLIST\n`;
}

const contentDurations = [4, 4, 4, 4];
const tsAdDurations = [4.004, 4.004, 2.002];
const shortAdDurations = [5, 1.5];

const contentMaster = `#EXTM3U
#EXT-X-VERSION:4
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="fr",NAME="Français",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="audio/fr/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1000000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO="aac",SUBTITLES="subs"
video/360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2600000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO="aac",SUBTITLES="subs"
video/720p/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=200000,CODECS="avc1.4d401f",RESOLUTION=1280x720,URI="video/720p/iframes.m3u8"
`;

const tsAdMaster = `#EXTM3U
#EXT-X-VERSION:4
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="spot-audio",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=640x360,AUDIO="spot-audio"
avc-360p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=4000000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,AUDIO="spot-audio"
avc-1080p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2900000,CODECS="hvc1.1.6.L93.B0,mp4a.40.2",RESOLUTION=1280x720,AUDIO="spot-audio"
hevc-720p.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,CODECS="avc1.640028",RESOLUTION=1920x1080,URI="avc-1080p-iframes.m3u8"
`;

const fmp4AdMaster = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="spot-audio",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="spot-audio"
video.m3u8
`;

const noIFramesAdMaster = `#EXTM3U
#EXT-X-VERSION:4
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="spot-audio",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1500000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=960x540,AUDIO="spot-audio"
video.m3u8
`;

const upstream: Record<string, string> = {
  [contentUri]: contentMaster,
  [`${contentHost}/vod/movie/video/360p/index.m3u8`]: vod(contentDurations, 'seg', 'ts'),
  [`${contentHost}/vod/movie/video/720p/index.m3u8`]: vod(contentDurations, 'seg', 'ts'),
  [`${contentHost}/vod/movie/video/720p/iframes.m3u8`]: iframes(contentDurations, 'seg'),
  [`${contentHost}/vod/movie/audio/en/index.m3u8`]: vod(contentDurations, 'seg', 'aac'),
  [`${contentHost}/vod/movie/audio/fr/index.m3u8`]: vod(contentDurations, 'seg', 'aac'),
  [`${contentHost}/vod/movie/subs/en/index.m3u8`]: vod(contentDurations, 'cue', 'vtt'),
  [`${contentHost}/vod/movie/video/720p/media-only.m3u8`]: vod(contentDurations, 'seg', 'ts'),

  [tsAdUri]: tsAdMaster,
  'https://ads.example/ts-spot/avc-360p.m3u8': vod(tsAdDurations, 'avc-360p-', 'ts'),
  'https://ads.example/ts-spot/avc-1080p.m3u8': vod(tsAdDurations, 'avc-1080p-', 'ts'),
  'https://ads.example/ts-spot/hevc-720p.m3u8': vod(tsAdDurations, 'hevc-720p-', 'ts'),
  'https://ads.example/ts-spot/avc-1080p-iframes.m3u8': iframes(tsAdDurations, 'avc-1080p-'),
  'https://ads.example/ts-spot/audio.m3u8': vod(tsAdDurations, 'audio-', 'aac'),

  [fmp4AdUri]: fmp4AdMaster,
  'https://ads.example/fmp4-spot/video.m3u8': vod([4, 2], 'video-', 'm4s', '#EXT-X-MAP:URI="video-init.mp4"\n'),
  'https://ads.example/fmp4-spot/audio.m3u8': vod([4, 2], 'audio-', 'm4s', '#EXT-X-MAP:URI="audio-init.mp4"\n'),

  [noIFramesAdUri]: noIFramesAdMaster,
  'https://ads.example/short-spot/video.m3u8': vod(shortAdDurations, 'video-', 'ts'),
  'https://ads.example/short-spot/audio.m3u8': vod(shortAdDurations, 'audio-', 'aac'),
};

/**
 * Serves playlists from memory with absolute URIs, as the stitcher's upstream loader does: unknown URLs are a 404,
 * a playlist longer than the load allows a 502; each answer after `delayMs(url)` ms.
 */
function memoryLoader(files: Record<string, string>, delayMs?: (url: string) => number): PlaylistLoader & { readonly requested: string[] } {
  const requested: string[] = [];
  return {
    requested,
    async load(url: string, maxBytes?: number): Promise<Playlist> {
      requested.push(url);
      if (delayMs) await delay(delayMs(url));
      const text = files[url];
      if (text === undefined) throw StitchError.badGateway(`upstream ${url} answered 404`);
      if (maxBytes !== undefined && text.length > maxBytes) throw StitchError.badGateway(`upstream ${url} is ${text.length} bytes, over the ${maxBytes} bytes this request allows it`);
      return absolutizePlaylist(parsePlaylist(text, { strict: false }), url);
    },
  };
}

const routing: StitchRouting = {
  mediaUri: (id) => `media/${id}.m3u8?payload=abc`,
  assetListUri: (podIndex) => `assets/${podIndex}.json?payload=abc`,
  emptyWebVttUri: 'https://stitcher.example/empty.vtt',
};

const options: StitcherOptions = {
  mode: 'splice',
  dateRangeMarkers: false,
  originPolicy: { allowedOrigins: ['origin.example', 'ads.example'], allowHttp: false },
  adBytesPerRequest: 1024 * 1024,
};
const splicing = (files = upstream) => new Stitcher(memoryLoader(files), options);
const announcing = (files = upstream) => new Stitcher(memoryLoader(files), { ...options, mode: 'interstitials' });

function spec(...breaks: Array<[positionMs: number, adUri: string]>): StitchRequestSpec {
  return { contentUri, breaks: breaks.map(([positionMs, adUri]) => ({ positionMs, adUri })) };
}

function parseMaster(body: string): MultivariantPlaylist {
  return parsePlaylist(body) as MultivariantPlaylist;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The segment URIs of a media playlist body, in order. */
function segmentUris(body: string): string[] {
  return body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

function count(body: string, line: string): number {
  return body.split('\n').filter((l) => l === line).length;
}

async function stitchError(promise: Promise<unknown>): Promise<StitchError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StitchError);
  return error as StitchError;
}

/** Every URI a multivariant playlist body refers to: variant lines and URI attributes. */
function referencedUris(body: string): string[] {
  return body.split('\n').flatMap((line) => {
    if (line === '') return [];
    if (!line.startsWith('#')) return [line];
    const uri = /URI="([^"]*)"/.exec(line);
    return uri ? [uri[1]] : [];
  });
}

describe('Stitcher in splice mode', () => {
  describe('multivariant', () => {
    test('routes every variant, I-frame variant, audio and subtitle rendition through routing.mediaUri', async () => {
      const { body, contentType } = await splicing().multivariant(spec([0, tsAdUri]), routing);
      expect(contentType).toBe('application/vnd.apple.mpegurl');
      const uris = referencedUris(body);
      expect(new Set(uris)).toEqual(new Set(['v0', 'v1', 'i0', 'a0', 'a1', 's0'].map(routing.mediaUri)));
      expect(body).not.toContain(contentHost);
      expect(body).not.toMatch(/index\.m3u8|iframes\.m3u8/);
      const master = parseMaster(body);
      expect(master.variants.map((variant) => [variant.uri, variant.isIFrameOnly])).toEqual([
        [routing.mediaUri('v0'), false], [routing.mediaUri('v1'), false], [routing.mediaUri('i0'), true],
      ]);
      expect(master.variants[0].audio.map((rendition) => [rendition.language, rendition.uri])).toEqual([
        ['en', routing.mediaUri('a0')], ['fr', routing.mediaUri('a1')],
      ]);
      expect(master.variants[0].subtitles.map((rendition) => rendition.uri)).toEqual([routing.mediaUri('s0')]);
    });

    test('keeps the other variant attributes of the content', async () => {
      const master = parseMaster((await splicing().multivariant(spec([0, tsAdUri]), routing)).body);
      expect(master.variants.map((variant) => [variant.codecs, variant.resolution, variant.averageBandwidth])).toEqual([
        ['avc1.4d401e,mp4a.40.2', { width: 640, height: 360 }, 1_000_000],
        ['avc1.4d401f,mp4a.40.2', { width: 1280, height: 720 }, 2_600_000],
        ['avc1.4d401f', { width: 1280, height: 720 }, undefined],
      ]);
    });

    test('raises BANDWIDTH to the matched ad variant when it is higher, and keeps it otherwise', async () => {
      const master = parseMaster((await splicing().multivariant(spec([0, tsAdUri]), routing)).body);
      // v0 (360p, 1.2 Mb/s) matches the 0.8 Mb/s 360p ad; v1 (720p, 3 Mb/s) the 4 Mb/s 1080p ad; i0 the 150 kb/s ad I-frames.
      expect(master.variants.map((variant) => variant.bandwidth)).toEqual([1_200_000, 4_000_000, 200_000]);
    });

    test('drops the I-frame variants when an ad has no I-frame rendition', async () => {
      const { body } = await splicing().multivariant(spec([0, tsAdUri], [8000, noIFramesAdUri]), routing);
      expect(body).not.toContain('#EXT-X-I-FRAME-STREAM-INF');
      expect(parseMaster(body).variants.map((variant) => variant.uri)).toEqual([routing.mediaUri('v0'), routing.mediaUri('v1')]);
    });

    test('names an fMP4 ad for TS content in skippedBreaks with a reason', async () => {
      const { skippedBreaks } = await splicing().multivariant(spec([0, tsAdUri], [8000, fmp4AdUri]), routing);
      expect(skippedBreaks).toEqual([{ adUri: fmp4AdUri, positionMs: 8000, reason: expect.stringContaining('no ts rendition'), failed: false }]);
      expect(skippedBreaks[0].reason).toContain('content v0');
    });

    test('does not raise BANDWIDTH for a skipped ad', async () => {
      const master = parseMaster((await splicing().multivariant(spec([8000, fmp4AdUri]), routing)).body);
      expect(master.variants.map((variant) => variant.bandwidth)).toEqual([1_200_000, 3_000_000, 200_000]);
    });
  });

  describe('media', () => {
    test('matches each content variant with the ad variant of the same codec family nearest in bandwidth and resolution', async () => {
      const stitcher = splicing();
      const v0 = segmentUris((await stitcher.media(spec([0, tsAdUri]), 'v0', routing)).body);
      const v1 = segmentUris((await stitcher.media(spec([0, tsAdUri]), 'v1', routing)).body);
      expect(v0.slice(0, 3)).toEqual([0, 1, 2].map((index) => `https://ads.example/ts-spot/avc-360p-${index}.ts`));
      // The HEVC 720p ad variant is nearest to v1 in bandwidth and resolution but never fits AVC content.
      expect(v1.slice(0, 3)).toEqual([0, 1, 2].map((index) => `https://ads.example/ts-spot/avc-1080p-${index}.ts`));
      expect([...v0, ...v1].filter((uri) => uri.includes('hevc'))).toEqual([]);
      expect(v1.slice(3)).toEqual([0, 1, 2, 3].map((index) => `${contentHost}/vod/movie/video/720p/seg${index}.ts`));
    });

    test('splices the ad I-frames into the I-frame rendition when every ad offers them', async () => {
      const { body } = await splicing().media(spec([4000, tsAdUri]), 'i0', routing);
      expect(segmentUris(body)).toEqual([
        `${contentHost}/vod/movie/video/720p/seg0.ts`,
        ...[0, 1, 2].map((index) => `https://ads.example/ts-spot/avc-1080p-${index}.ts`),
        ...[1, 2, 3].map((index) => `${contentHost}/vod/movie/video/720p/seg${index}.ts`),
      ]);
      expect(body).toContain('#EXT-X-I-FRAMES-ONLY');
      expect(count(body, '#EXT-X-DISCONTINUITY')).toBe(2);
    });

    test('answers 404 for the I-frame rendition when an ad has no I-frame rendition', async () => {
      const error = await stitchError(splicing().media(spec([0, tsAdUri], [8000, noIFramesAdUri]), 'i0', routing));
      expect(error.status).toBe(404);
      expect(error.message).toContain('i0');
    });

    test('leaves no trace of a skipped fMP4 ad in TS content and still splices the usable ads', async () => {
      const stitcher = splicing();
      const skippedOnly = await stitcher.media(spec([8000, fmp4AdUri]), 'v0', routing);
      expect(skippedOnly.skippedBreaks.map((skipped) => skipped.adUri)).toEqual([fmp4AdUri]);
      expect(skippedOnly.body).not.toContain('fmp4-spot');
      expect(skippedOnly.body).not.toMatch(/DISCONTINUITY|CUE-OUT|CUE-IN|EXT-X-MAP/);
      expect(segmentUris(skippedOnly.body)).toEqual([0, 1, 2, 3].map((index) => `${contentHost}/vod/movie/video/360p/seg${index}.ts`));

      const mixed = await stitcher.media(spec([0, tsAdUri], [8000, fmp4AdUri]), 'v0', routing);
      expect(mixed.body).not.toContain('fmp4-spot');
      expect(count(mixed.body, '#EXT-X-DISCONTINUITY')).toBe(1);
      expect(segmentUris(mixed.body)).toHaveLength(3 + 4);
    });

    test('gives v0, v1, audio a0 and subtitles s0 the same discontinuities, filling subtitle ad time with empty WebVTT', async () => {
      const stitcher = splicing();
      const request = spec([0, tsAdUri], [8000, tsAdUri], [8000, noIFramesAdUri], [-1, tsAdUri]);
      const bodies = await Promise.all(['v0', 'v1', 'a0', 's0'].map(async (id) => (await stitcher.media(request, id, routing)).body));
      const discontinuityIndexes = bodies.map((body) => {
        let segment = 0;
        return body.split('\n').flatMap((line) => {
          if (line === '#EXT-X-DISCONTINUITY') return [segment];
          if (line !== '' && !line.startsWith('#')) segment++;
          return [];
        });
      });
      // pre-roll: 1 (after it); mid-roll of two ads: 3; post-roll: 1.
      expect(discontinuityIndexes[0]).toHaveLength(5);
      for (const indexes of discontinuityIndexes.slice(1)) expect(indexes).toEqual(discontinuityIndexes[0]);
      for (const body of bodies) expect(validateMediaPlaylist(parsePlaylist(body, { strict: true }) as MediaPlaylist)).toEqual([]);

      const [, , audio, subtitles] = bodies;
      expect(segmentUris(audio).slice(0, 3)).toEqual([0, 1, 2].map((index) => `https://ads.example/ts-spot/audio-${index}.aac`));
      const subtitleUris = segmentUris(subtitles);
      expect(subtitleUris.filter((uri) => uri === routing.emptyWebVttUri)).toHaveLength(3 + 3 + 2 + 3);
      expect(subtitleUris.filter((uri) => uri !== routing.emptyWebVttUri)).toEqual(
        [0, 1, 2, 3].map((index) => `${contentHost}/vod/movie/subs/en/cue${index}.vtt`));
    });

    test('with dateRangeMarkers, every rendition marks each pod with one EXT-X-DATERANGE at the same START-DATE', async () => {
      const stitcher = new Stitcher(memoryLoader(upstream), { ...options, dateRangeMarkers: true });
      const request = spec([0, tsAdUri], [8000, noIFramesAdUri]);
      const bodies = await Promise.all(['v0', 'v1', 'a0', 's0'].map(async (id) => (await stitcher.media(request, id, routing)).body));
      const starts = bodies.map((body) => body.split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE:'))
        .map((line) => /START-DATE="([^"]+)"/.exec(line)![1]));
      expect(starts[0]).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:18.010Z']);
      for (const other of starts.slice(1)) expect(other).toEqual(starts[0]);
      for (const body of bodies) {
        expect(body.split('\n').filter((line) => line.startsWith('#EXT-X-PROGRAM-DATE-TIME:'))).toHaveLength(1);
        expect(validateMediaPlaylist(parsePlaylist(body) as MediaPlaylist)).toEqual([]);
      }
    });

    test('answers 404 for an unknown rendition, listing the valid rendition ids', async () => {
      const error = await stitchError(splicing().media(spec([0, tsAdUri]), 'v9', routing));
      expect(error.status).toBe(404);
      expect(error.message).toContain('v9');
      expect(error.message).toContain('v0, v1, i0, a0, a1, s0');
    });

    test('answers 404 when no rendition id is given', async () => {
      const error = await stitchError(splicing().media(spec([0, tsAdUri]), undefined, routing));
      expect(error.status).toBe(404);
      expect(error.message).toContain('v0, v1, i0, a0, a1, s0');
    });

    test('answers 502 when the content URI is a media playlist', async () => {
      const request = { contentUri: `${contentHost}/vod/movie/video/720p/media-only.m3u8`, breaks: [{ positionMs: 0, adUri: tsAdUri }] };
      for (const answer of [splicing().media(request, 'v0', routing), splicing().multivariant(request, routing)]) {
        const error = await stitchError(answer);
        expect(error.status).toBe(502);
        expect(error.message).toContain('media playlist');
      }
    });

    describe('a response loads only the ad playlists it needs, and every rendition still splices the same ads', () => {
      const ad = (name: string) => `https://ads.example/ts-spot/${name}`;
      const without = (...names: string[]) => Object.fromEntries(Object.entries(upstream).filter(([url]) => !names.some((name) => url === ad(name))));
      const everyRendition = ['v0', 'v1', 'a0', 'a1', 's0'];
      const adsOf = (body: string) => segmentUris(body).filter((uri) => uri.startsWith('https://ads.example/'));

      test('a variant request loads the ad\'s multivariant playlist, its match and the audio its group needs, nothing else of the ad', async () => {
        const loader = memoryLoader(upstream);
        const { skippedBreaks } = await new Stitcher(loader, options).media(spec([0, tsAdUri]), 'v0', routing);
        expect(skippedBreaks).toEqual([]);
        expect(loader.requested.filter((url) => url.startsWith('https://ads.example/')).sort()).toEqual([ad('audio.m3u8'), ad('avc-360p.m3u8'), tsAdUri]);
      });

      test('when the ad playlist matched to one variant fails, that variant gets the nearest of its group that works, and no rendition skips the ad', async () => {
        const files = without('avc-1080p.m3u8');
        const bodies = new Map<string, string>();
        for (const id of everyRendition) {
          const { body, skippedBreaks } = await splicing(files).media(spec([0, tsAdUri]), id, routing);
          expect(skippedBreaks).toEqual([]);
          bodies.set(id, body);
        }
        expect(adsOf(bodies.get('v1')!)).toEqual(['avc-360p-0.ts', 'avc-360p-1.ts', 'avc-360p-2.ts'].map(ad)); // 720p content, its 1080p match missing
        expect(adsOf(bodies.get('v0')!)).toEqual(adsOf(bodies.get('v1')!));
        for (const body of bodies.values()) expect(count(body, '#EXT-X-DISCONTINUITY')).toBe(1);
      });

      test.each([
        ['every ad variant any content variant could use', ['avc-360p.m3u8', 'avc-1080p.m3u8']],
        ['its only audio rendition (which a variant request never splices)', ['audio.m3u8']],
      ])('when %s fails, every rendition skips the ad alike, whichever is asked for', async (_what, missing) => {
        for (const id of everyRendition) {
          const { body, skippedBreaks } = await splicing(without(...missing)).media(spec([0, tsAdUri], [8000, noIFramesAdUri]), id, routing);
          expect({ id, skipped: skippedBreaks.map((skipped) => [skipped.adUri, skipped.failed, /answered 404/.test(skipped.reason)]) })
            .toEqual({ id, skipped: [[tsAdUri, true, true]] });
          expect(count(body, '#EXT-X-DISCONTINUITY')).toBe(2); // the other ad, a mid-roll, in every rendition
        }
      });

      test('with an AVC and an HEVC content variant, an ad whose HEVC rendition fails is skipped in the AVC variant too', async () => {
        const mixedUri = `${contentHost}/vod/mixed/master.m3u8`;
        const files: Record<string, string> = {
          ...without('hevc-720p.m3u8'),
          [mixedUri]: contentMaster
            .replace('avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720', 'hvc1.1.6.L93.B0,mp4a.40.2",RESOLUTION=1280x720')
            .replace(/\n#EXT-X-I-FRAME-STREAM-INF.*\n/, '\n'),
        };
        for (const [url, text] of Object.entries(upstream)) {
          if (url.startsWith(`${contentHost}/vod/movie/`) && url !== contentUri) files[url.replace('/vod/movie/', '/vod/mixed/')] = text;
        }
        const mixed = { contentUri: mixedUri, breaks: [{ positionMs: 0, adUri: tsAdUri }] };
        for (const id of ['v0', 'v1', 'a0']) {
          const loader = memoryLoader(files);
          const { skippedBreaks } = await new Stitcher(loader, options).media(mixed, id, routing);
          expect({ id, skipped: skippedBreaks.map((skipped) => skipped.reason) }).toEqual({ id, skipped: [expect.stringContaining('hevc-720p.m3u8 answered 404')] });
          if (id === 'v0') expect(loader.requested).toContain(ad('hevc-720p.m3u8')); // the AVC variant's request checked the HEVC group
        }
        const { skippedBreaks } = await splicing({ ...files, [ad('hevc-720p.m3u8')]: upstream[ad('hevc-720p.m3u8')] }).media(mixed, 'v0', routing);
        expect(skippedBreaks).toEqual([]); // the same content and ad, once the HEVC rendition answers
      });

      test('the multivariant playlist still loads every ad playlist a rendition is matched to', async () => {
        const loader = memoryLoader(upstream);
        await new Stitcher(loader, options).multivariant(spec([0, tsAdUri]), routing);
        expect(new Set(loader.requested.filter((url) => url.startsWith('https://ads.example/'))))
          .toEqual(new Set([tsAdUri, ...['avc-360p.m3u8', 'avc-1080p.m3u8', 'audio.m3u8', 'avc-1080p-iframes.m3u8'].map(ad)]));
      });
    });

    describe('each ad of a request gets an equal share of the byte budget, so what fits never depends on load order or rendition', () => {
      // four copies of the TS ad under their own URLs
      const copies = [0, 1, 2, 3].map((copy) => tsAdUri.replace('/ts-spot/', `/copy-${copy}/`));
      const files: Record<string, string> = { ...upstream };
      for (const [url, text] of Object.entries(upstream)) {
        if (url.includes('/ts-spot/')) copies.forEach((_copy, index) => { files[url.replace('/ts-spot/', `/copy-${index}/`)] = text; });
      }
      const payload = spec(...copies.map((copy, index): [number, string] => [index * 4000, copy]));
      const copyOf = (url: string) => Number(/\/copy-(\d)\//.exec(url)?.[1] ?? -1);
      const bytes = (name: string) => files[`https://ads.example/copy-0/${name}`].length;
      // an ad's share: half for its multivariant playlist, half split over the 4 playlists its renditions are matched to
      // (avc-360p, avc-1080p, audio, I-frames); with a part of exactly the 360p playlist's size, the 1080p one is over it
      const adBytesPerRequest = copies.length * 2 * 4 * bytes('avc-360p.m3u8');

      test('the fixture: the 1080p playlist is over its part, the others fit', () => {
        expect(bytes('avc-1080p.m3u8')).toBeGreaterThan(bytes('avc-360p.m3u8'));
        expect(bytes('audio.m3u8')).toBeLessThanOrEqual(bytes('avc-360p.m3u8'));
        expect(bytes('master.m3u8')).toBeLessThanOrEqual(4 * bytes('avc-360p.m3u8'));
      });

      test('a playlist over its part is refused like a failed one: the 720p variant gets the 360p one, every ad is spliced, whatever the load order', async () => {
        const orders: Array<(copy: number) => number> = [(copy) => copy, (copy) => 3 - copy, (copy) => [2, 0, 3, 1][copy]];
        const outcomes = [];
        for (const rank of orders) {
          const loader = memoryLoader(files, (url) => copyOf(url) >= 0 ? 1 + 3 * rank(copyOf(url)) : 0);
          const { body, skippedBreaks } = await new Stitcher(loader, { ...options, adBytesPerRequest }).media(payload, 'v1', routing);
          expect(skippedBreaks).toEqual([]);
          outcomes.push(segmentUris(body).filter((uri) => copyOf(uri) >= 0));
        }
        expect(outcomes[0].every((uri) => uri.includes('/avc-360p-'))).toBe(true);
        expect(outcomes[0].map(copyOf)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        expect(outcomes[1]).toEqual(outcomes[0]);
        expect(outcomes[2]).toEqual(outcomes[0]);
      });

      test('with a smaller budget every ad is over its share, and every rendition skips every ad alike; the content never fails', async () => {
        for (const id of ['v0', 'v1', 'a0', 's0']) {
          const stitcher = new Stitcher(memoryLoader(files), { ...options, adBytesPerRequest: adBytesPerRequest / 2 });
          const { body, skippedBreaks } = await stitcher.media(payload, id, routing);
          expect(skippedBreaks.map((skipped) => [skipped.adUri, skipped.failed, skipped.reason.includes('bytes this request allows')]))
            .toEqual(copies.map((copy) => [copy, true, true]));
          expect(count(body, '#EXT-X-DISCONTINUITY')).toBe(0);
        }
      });
    });

    test('skips an ad whose playlist answers 404, naming the failure, and still splices the others', async () => {
      const missing = 'https://ads.example/missing/master.m3u8';
      const { body, skippedBreaks } = await splicing().media(spec([0, missing], [8000, tsAdUri]), 'v0', routing);
      expect(skippedBreaks).toEqual([{ adUri: missing, positionMs: 0, reason: expect.stringContaining('answered 404'), failed: true }]);
      expect(count(body, '#EXT-X-DISCONTINUITY')).toBe(2);
      expect(body).not.toContain('/missing/');
    });
  });
});

describe('Stitcher ad loading', () => {
  /** `ads` distinct copies of the TS ad, each under its own path, with the content. */
  function manyAds(ads: number): { files: Record<string, string>; adUris: string[] } {
    const files: Record<string, string> = { ...upstream };
    const adUris = Array.from({ length: ads }, (_unused, index) => `https://ads.example/spot-${index}/master.m3u8`);
    for (const [url, text] of Object.entries(upstream)) {
      if (!url.startsWith('https://ads.example/ts-spot/')) continue;
      adUris.forEach((_adUri, index) => { files[url.replace('/ts-spot/', `/spot-${index}/`)] = text; });
    }
    return { files, adUris };
  }

  /** A loader that counts the ad loads in flight at once, multivariant and media playlists apart. */
  function countingLoader(files: Record<string, string>) {
    const inner = memoryLoader(files);
    const peak = { masters: 0, media: 0 };
    const current = { masters: 0, media: 0 };
    const loader: PlaylistLoader = {
      async load(url, maxBytes) {
        const kind = !url.startsWith('https://ads.example/') ? undefined : url.endsWith('/master.m3u8') ? 'masters' : 'media';
        if (kind) peak[kind] = Math.max(peak[kind], ++current[kind]);
        try {
          await delay(1); // every load answers on a later turn: a load started after another answered is not in flight with it
          return await inner.load(url, maxBytes);
        } finally {
          if (kind) current[kind]--;
        }
      },
    };
    return { loader, peak };
  }

  test('loads every ad of a payload at once, up to the default maxBreaks: its ads take one upstream round trip per step', async () => {
    const { files, adUris } = manyAds(10);
    const { loader, peak } = countingLoader(files);
    const { body, skippedBreaks } = await new Stitcher(loader, options).media(spec(...adUris.map((adUri, index): [number, string] => [index * 4000, adUri])), 'v0', routing);
    expect(skippedBreaks).toEqual([]);
    expect(segmentUris(body).filter((uri) => uri.includes('/avc-360p-'))).toHaveLength(10 * tsAdDurations.length);
    expect(peak).toEqual({ masters: 10, media: expect.any(Number) });
    expect(peak.media).toBeGreaterThanOrEqual(10);
  });

  test('keeps at most adLoadConcurrency ad loads in flight', async () => {
    const { files, adUris } = manyAds(stitcherHandlerLimits.adLoadConcurrency + 4);
    const { loader, peak } = countingLoader(files);
    const payload = spec(...adUris.map((adUri): [number, string] => [0, adUri]));
    await new Stitcher(loader, { ...options, adBytesPerRequest: 4 * 1024 * 1024 }).media(payload, 'v0', routing);
    expect(peak.masters).toBe(stitcherHandlerLimits.adLoadConcurrency);
  });
});

describe('Stitcher in interstitials mode', () => {
  const request = spec([0, tsAdUri], [8000, tsAdUri], [8000, noIFramesAdUri], [-1, fmp4AdUri]);

  function dateRanges(body: string): Array<Record<string, string>> {
    return body.split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE:')).map((line) => Object.fromEntries(
      [...line.slice('#EXT-X-DATERANGE:'.length).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)].map(([, name, value]) => [name, value.replace(/^"|"$/g, '')])));
  }

  test('media adds one interstitial EXT-X-DATERANGE per pod and leaves the content segments alone', async () => {
    const { body } = await announcing().media(request, 'v0', routing);
    const ranges = dateRanges(body);
    expect(ranges).toHaveLength(3);
    expect(ranges.map((range) => range.CLASS)).toEqual(Array(3).fill('com.apple.hls.interstitial'));
    expect(new Set(ranges.map((range) => range.ID)).size).toBe(3);
    expect(segmentUris(body)).toEqual([0, 1, 2, 3].map((index) => `${contentHost}/vod/movie/video/360p/seg${index}.ts`));
    expect(body).not.toMatch(/DISCONTINUITY|CUE-OUT/);
    expect(validateMediaPlaylist(parsePlaylist(body) as MediaPlaylist)).toEqual([]);
  });

  test('the pre-roll is CUE="PRE", the post-roll CUE="POST" and a mid-roll has no CUE', async () => {
    const ranges = dateRanges((await announcing().media(request, 'v0', routing)).body);
    expect(ranges.map((range) => range.CUE)).toEqual(['PRE', undefined, 'POST']);
    const start = Date.parse(ranges[0]['START-DATE']);
    expect(ranges.map((range) => Date.parse(range['START-DATE']) - start)).toEqual([0, 8000, 16_000]);
  });

  test('a one-ad pod points at the ad with X-ASSET-URI, a multi-ad pod at its asset list with X-ASSET-LIST', async () => {
    const ranges = dateRanges((await announcing().media(request, 'v0', routing)).body);
    expect(ranges.map((range) => [range['X-ASSET-URI'], range['X-ASSET-LIST']])).toEqual([
      [tsAdUri, undefined],
      [undefined, routing.assetListUri(1)],
      [fmp4AdUri, undefined],
    ]);
  });

  test('the multivariant playlist routes every rendition, I-frames included, through routing.mediaUri', async () => {
    const { body } = await announcing().multivariant(request, routing);
    expect(new Set(referencedUris(body))).toEqual(new Set(['v0', 'v1', 'i0', 'a0', 'a1', 's0'].map(routing.mediaUri)));
    expect(body).not.toContain(contentHost);
  });

  test('assetList lists the ads of a pod with durations summed from their media playlists', async () => {
    const { body, contentType } = await announcing().assetList(request, 1);
    expect(contentType).toBe('application/json');
    expect(JSON.parse(body)).toEqual({ ASSETS: [{ URI: tsAdUri, DURATION: 10.01 }, { URI: noIFramesAdUri, DURATION: 6.5 }] });
  });

  test('assetList of a one-ad pod lists that ad', async () => {
    expect(JSON.parse((await announcing().assetList(request, 0)).body)).toEqual({ ASSETS: [{ URI: tsAdUri, DURATION: 10.01 }] });
    expect(JSON.parse((await announcing().assetList(request, 2)).body)).toEqual({ ASSETS: [{ URI: fmp4AdUri, DURATION: 6 }] });
  });

  test('assetList answers 404 for a pod index out of range', async () => {
    for (const podIndex of [3, -1]) {
      const error = await stitchError(announcing().assetList(request, podIndex));
      expect(error.status).toBe(404);
      expect(error.message).toContain('3 pod(s)');
    }
  });
});

describe('groupPods', () => {
  test('groups consecutive breaks at the same position into one pod, in payload order', () => {
    const breaks = spec([0, 'a'], [8000, 'b'], [8000, 'c'], [-1, 'd'], [-1, 'e']).breaks;
    expect(groupPods(breaks).map((pod) => pod.map((adBreak) => adBreak.adUri))).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});

