import * as fc from 'fast-check';
import { absolutizePlaylist, MediaPlaylist, parsePlaylist, Playlist, resolveUri, serializePlaylist } from '../../lambda-src/hls';
import { StitchError } from '../../lambda-src/pre-roll-stitcher/errors';
import { announceInterstitials } from '../../lambda-src/pre-roll-stitcher/interstitials';
import { decodePayload } from '../../lambda-src/pre-roll-stitcher/payload';
import { PlaylistLoader, Stitcher } from '../../lambda-src/pre-roll-stitcher/stitcher';

/*
 * No input reaches a playlist or an asset list as anything but one normalized, serialized URL: arbitrary
 * strings (quotes, CR, LF, commas, spaces, hosts with quotes...) as ad URIs, payload URIs and playlist URIs.
 */

const contentUri = 'https://origin.example/vod/master.m3u8';
const contentMedia = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n';
const files: Record<string, string> = {
  [contentUri]: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2"\nv.m3u8\n',
  'https://origin.example/vod/v.m3u8': contentMedia,
};

const loader: PlaylistLoader = {
  async load(url: string): Promise<Playlist> {
    const text = files[url];
    if (text === undefined) throw StitchError.badGateway(`upstream ${url} answered 404`);
    return absolutizePlaylist(parsePlaylist(text, { strict: false }), url);
  },
};

const stitcher = new Stitcher(loader, {
  mode: 'interstitials',
  dateRangeMarkers: false,
  originPolicy: { allowedOrigins: ['ads.example', 'origin.example'], allowHttp: true },
  adBytesPerRequest: 1024 * 1024,
});
const routing = { mediaUri: (id: string) => `media.m3u8?r=${id}`, assetListUri: (pod: number) => `asset-list.json?pod=${pod}`, emptyWebVttUri: 'empty.vtt' };

/** Strings built to hurt: URL-ish starts followed by quotes, line breaks and other separators. */
const hostileText = fc.string({ unit: fc.constantFrom('"', '\n', '\r', 'a', '/', '?', '#', ':', ' ', ',', '=', '%', '\t', '\u2028', '<', '.'), maxLength: 40 });
const hostileUri = fc.oneof(
  fc.string(),
  hostileText,
  fc.tuple(fc.constantFrom('https://ads.example/', 'http://ads.example/', 'https://ADS.example', 'https://ads"x.example/', 'https://evil.example/', 'http://169.254.169.254/'), hostileText)
    .map(([start, rest]) => start + rest),
);

const lines = (body: string) => body.trimEnd().split('\n');

describe('URIs written by the stitcher', () => {
  test('an ad URI is written as one X-ASSET-URI holding new URL(uri).href on an allowed host, or the ad is skipped', async () => {
    const plain = lines((await stitcher.media({ contentUri, breaks: [] }, 'v0', routing)).body);
    await fc.assert(fc.asyncProperty(hostileUri, async (adUri) => {
      const { body, skippedBreaks } = await stitcher.media({ contentUri, breaks: [{ positionMs: 0, adUri }] }, 'v0', routing);
      const written = lines(body).filter((line) => !plain.includes(line));
      if (skippedBreaks.length === 1) {
        expect(written.filter((line) => line.startsWith('#EXT-X-DATERANGE'))).toEqual([]);
        return;
      }
      const href = new URL(adUri).href;
      expect(['ads.example', 'origin.example']).toContain(new URL(href).host);
      expect(written).toHaveLength(written.some((line) => line.startsWith('#EXT-X-PROGRAM-DATE-TIME')) ? 2 : 1);
      const dateRange = written.find((line) => line.startsWith('#EXT-X-DATERANGE:'))!;
      expect(/X-ASSET-URI="([^"\r\n]*)"/.exec(dateRange)?.[1]).toBe(href);
    }), { numRuns: 300 });
  });

  test('the interstitial writer refuses a value no quoted-string may hold, and otherwise writes exactly one tag line', () => {
    const content = absolutizePlaylist(parsePlaylist(contentMedia) as MediaPlaylist, 'https://origin.example/vod/v.m3u8');
    const plain = lines(serializePlaylist(content));
    fc.assert(fc.property(fc.oneof(fc.string(), hostileText), (value) => {
      let body: string;
      try {
        body = serializePlaylist(announceInterstitials(content, [{ positionMs: 0, assetUri: value }]));
      } catch (error) {
        expect(value).toMatch(/["\r\n]/);
        expect((error as Error).message).toMatch(/cannot be written into a quoted-string/);
        return;
      }
      expect(value).not.toMatch(/["\r\n]/);
      const written = lines(body).filter((line) => !plain.includes(line));
      expect(written.filter((line) => !line.startsWith('#EXT-X-PROGRAM-DATE-TIME'))).toHaveLength(1);
    }), { numRuns: 500 });
  });

  test('a payload URI comes out normalized and quoted-string safe, or is a 400', () => {
    fc.assert(fc.property(hostileUri, (uri) => {
      const encoded = Buffer.from(JSON.stringify({ uri, breaks: [{ pos: 0, uri }] })).toString('base64url');
      let spec;
      try {
        spec = decodePayload(encoded, { maxPayloadLength: 1024 * 1024, maxBreaks: 16 });
      } catch (error) {
        expect((error as StitchError).status).toBe(400);
        return;
      }
      for (const written of [spec.contentUri, spec.breaks[0].adUri]) {
        expect(written).toBe(new URL(uri).href);
        expect(written).not.toMatch(/["\r\n]/);
      }
    }), { numRuns: 500 });
  });

  test('a URI of an upstream playlist resolves to a normalized URL without quotes or line breaks, or is refused', () => {
    fc.assert(fc.property(hostileUri, (uri) => {
      let resolved: string;
      try {
        resolved = resolveUri(uri, 'https://origin.example/vod/v.m3u8');
      } catch {
        return;
      }
      expect(resolved).toBe(new URL(uri, 'https://origin.example/vod/v.m3u8').href);
      expect(resolved).not.toMatch(/["\r\n]/);
    }), { numRuns: 500 });
  });
});
