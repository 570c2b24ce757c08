import {
  absolutizePlaylist,
  MediaPlaylist,
  parsePlaylist,
  serializePlaylist,
  validateMediaPlaylist,
} from '../../lambda-src/hls';
import { AdClip, AdPod, insertionIndex, spliceMediaPlaylist } from '../../lambda-src/pre-roll-stitcher/splice';

const contentUrl = 'https://origin.example/vod/movie/720p.m3u8';
const adUrl = 'https://ads.example/spots/cola/720p.m3u8';

/** Parses a media playlist and resolves its URIs against the URL it was served from, as the stitcher's loader does. */
function media(text: string, url: string): MediaPlaylist {
  return absolutizePlaylist(parsePlaylist(text) as MediaPlaylist, url);
}

function clip(playlist: MediaPlaylist, adUri = 'https://ads.example/spots/cola/master.m3u8'): AdClip {
  return { adUri, playlist };
}

function pod(positionMs: number, ...playlists: MediaPlaylist[]): AdPod {
  return { positionMs, ads: playlists.map((playlist) => clip(playlist)) };
}

function stitchedLines(content: MediaPlaylist, pods: AdPod[], dateRanges = false): string[] {
  return serializePlaylist(spliceMediaPlaylist(content, pods, { dateRanges }).playlist).trimEnd().split('\n');
}

/** The segment URIs of serialized playlist lines, in order. */
function uris(lines: string[]): string[] {
  return lines.filter((line) => line !== '' && !line.startsWith('#'));
}

const headerTags = ['#EXTM3U', '#EXT-X-VERSION', '#EXT-X-TARGETDURATION', '#EXT-X-PLAYLIST-TYPE', '#EXT-X-MEDIA-SEQUENCE'];

/** The tags written between the previous segment URI (or the header) and the segment URI at `index`. */
function tagsBeforeIndex(lines: string[], index: number): string[] {
  let start = index - 1;
  while (start >= 0 && lines[start].startsWith('#') && !headerTags.some((tag) => lines[start].startsWith(tag))) start--;
  return lines.slice(start + 1, index);
}

/** The tags written before the first occurrence of a segment URI. */
function tagsBefore(lines: string[], uri: string): string[] {
  const index = lines.indexOf(uri);
  expect(index).toBeGreaterThan(-1);
  return tagsBeforeIndex(lines, index);
}

function contentOfSegments(durations: number[], url = contentUrl): MediaPlaylist {
  const targetDuration = Math.max(...durations.map(Math.round));
  const segments = durations.map((duration, index) => `#EXTINF:${duration.toFixed(6)},\nc${index}.ts`).join('\n');
  return media(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${targetDuration}\n#EXT-X-PLAYLIST-TYPE:VOD\n${segments}\n#EXT-X-ENDLIST\n`, url);
}

const tsContent = media(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.000,
c0.ts
#EXTINF:4.000,
c1.ts
#EXTINF:4.000,
c2.ts
#EXT-X-ENDLIST
`, contentUrl);

const tsAd = media(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.000,
a0.ts
#EXTINF:2.500,
a1.ts
#EXT-X-ENDLIST
`, adUrl);

const secondTsAd = media(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:3
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:3.000,
b0.ts
#EXT-X-ENDLIST
`, 'https://ads.example/spots/soap/720p.m3u8');

const fmp4Content = media(`#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
c0.m4s
#EXTINF:4.000,
c1.m4s
#EXTINF:4.000,
c2.m4s
#EXT-X-ENDLIST
`, contentUrl);

const fmp4Ad = media(`#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.000,
a0.m4s
#EXTINF:2.000,
a1.m4s
#EXT-X-ENDLIST
`, adUrl);

const c = (name: string) => `https://origin.example/vod/movie/${name}`;
const a = (name: string) => `https://ads.example/spots/cola/${name}`;

describe('insertionIndex', () => {
  const fourSecondSegments = [{ duration: 4 }, { duration: 4 }, { duration: 4 }];

  test('position 0 is the pre-roll boundary before the first segment', () => {
    expect(insertionIndex(fourSecondSegments, 0)).toBe(0);
  });

  test('a position on a segment boundary is that boundary', () => {
    expect(insertionIndex(fourSecondSegments, 4000)).toBe(1);
    expect(insertionIndex(fourSecondSegments, 8000)).toBe(2);
  });

  test('a position just after a boundary moves to the next boundary: an ad never starts before its position', () => {
    expect(insertionIndex(fourSecondSegments, 4001)).toBe(2);
    expect(insertionIndex(fourSecondSegments, 1)).toBe(1);
  });

  test('-1, the content end and any position past it are the post-roll boundary', () => {
    expect(insertionIndex(fourSecondSegments, -1)).toBe(3);
    expect(insertionIndex(fourSecondSegments, 12000)).toBe(3);
    expect(insertionIndex(fourSecondSegments, 8001)).toBe(3);
    expect(insertionIndex(fourSecondSegments, 600_000)).toBe(3);
  });

  test('3600 segments of 2.000000 s keep their boundary at 7200 s, within 0.4 ms either side', () => {
    const twoSecondSegments = Array.from({ length: 3601 }, () => ({ duration: 2.000000 }));
    expect(insertionIndex(twoSecondSegments, 7_200_000)).toBe(3600);
    expect(insertionIndex(twoSecondSegments, 7_199_999.6)).toBe(3600);
    expect(insertionIndex(twoSecondSegments, 7_200_000.4)).toBe(3600);
    expect(insertionIndex(twoSecondSegments, 7_200_001)).toBe(3601);
  });

  test('3600 segments of 2.002 s (not exact in binary) keep their boundary at 7207.2 s despite float drift', () => {
    const segments = Array.from({ length: 3601 }, () => ({ duration: 2.002 }));
    expect(insertionIndex(segments, 7_207_200)).toBe(3600);
    expect(insertionIndex(segments, 7_207_200.4)).toBe(3600);
    expect(insertionIndex(segments, 7_207_199.6)).toBe(3600);
  });
});

describe('spliceMediaPlaylist', () => {
  test('a pre-roll opens the playlist with the ad and no EXT-X-DISCONTINUITY before it', () => {
    const lines = stitchedLines(tsContent, [pod(0, tsAd)]);
    expect(uris(lines)).toEqual([a('a0.ts'), a('a1.ts'), c('c0.ts'), c('c1.ts'), c('c2.ts')]);
    expect(lines.slice(0, lines.indexOf(a('a0.ts')))).not.toContain('#EXT-X-DISCONTINUITY');
    expect(tagsBefore(lines, a('a0.ts'))).toEqual(['#EXT-X-CUE-OUT:DURATION=6.5', '#EXTINF:4,']);
    expect(tagsBefore(lines, c('c0.ts'))).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-CUE-IN', '#EXTINF:4,']);
  });

  test('a pre-roll is placed as such at content and stitched time 0', () => {
    const { pods } = spliceMediaPlaylist(tsContent, [pod(0, tsAd)], { dateRanges: false });
    expect(pods).toEqual([{
      placement: 'pre-roll', contentSegmentIndex: 0, contentTimeSeconds: 0, stitchedStartSeconds: 0, durationSeconds: 6.5, adCount: 1,
    }]);
  });

  test('a mid-roll on an exact segment boundary plays before the segment that starts there', () => {
    const lines = stitchedLines(tsContent, [pod(4000, tsAd)]);
    expect(uris(lines)).toEqual([c('c0.ts'), a('a0.ts'), a('a1.ts'), c('c1.ts'), c('c2.ts')]);
    expect(tagsBefore(lines, a('a0.ts'))).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-CUE-OUT:DURATION=6.5', '#EXTINF:4,']);
    expect(tagsBefore(lines, a('a1.ts'))).toEqual(['#EXTINF:2.5,']);
    expect(tagsBefore(lines, c('c1.ts'))).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-CUE-IN', '#EXTINF:4,']);
  });

  test('a mid-roll just after a boundary snaps forward to the next boundary', () => {
    const { playlist, pods } = spliceMediaPlaylist(tsContent, [pod(4001, tsAd)], { dateRanges: false });
    expect(playlist.segments.map((segment) => segment.uri)).toEqual([c('c0.ts'), c('c1.ts'), a('a0.ts'), a('a1.ts'), c('c2.ts')]);
    expect(pods[0]).toMatchObject({ placement: 'mid-roll', contentSegmentIndex: 2, contentTimeSeconds: 8, stitchedStartSeconds: 8 });
  });

  test('a mid-roll 0.4 ms off the 7200 s boundary of 3600 summed 2.000000 s segments lands on that boundary', () => {
    const content = contentOfSegments(Array.from({ length: 3602 }, () => 2));
    for (const positionMs of [7_199_999.6, 7_200_000, 7_200_000.4]) {
      const { playlist, pods } = spliceMediaPlaylist(content, [pod(positionMs, tsAd)], { dateRanges: false });
      expect(pods[0]).toMatchObject({ placement: 'mid-roll', contentSegmentIndex: 3600 });
      expect(pods[0].contentTimeSeconds).toBeCloseTo(7200, 6);
      expect(playlist.segments.slice(3599, 3603).map((segment) => segment.uri)).toEqual([c('c3599.ts'), a('a0.ts'), a('a1.ts'), c('c3600.ts')]);
    }
  });

  test('a post-roll requested with -1 plays after the last content segment and is closed by EXT-X-CUE-IN before ENDLIST', () => {
    const lines = stitchedLines(tsContent, [pod(-1, tsAd)]);
    expect(uris(lines)).toEqual([c('c0.ts'), c('c1.ts'), c('c2.ts'), a('a0.ts'), a('a1.ts')]);
    expect(tagsBefore(lines, a('a0.ts'))).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-CUE-OUT:DURATION=6.5', '#EXTINF:4,']);
    expect(lines.slice(lines.indexOf(a('a1.ts')) + 1)).toEqual(['#EXT-X-CUE-IN', '#EXT-X-ENDLIST']);
  });

  test('a position past the end of the content is a post-roll', () => {
    const { playlist, pods } = spliceMediaPlaylist(tsContent, [pod(20_000, tsAd)], { dateRanges: false });
    expect(playlist.segments.map((segment) => segment.uri)).toEqual([c('c0.ts'), c('c1.ts'), c('c2.ts'), a('a0.ts'), a('a1.ts')]);
    expect(pods).toEqual([{
      placement: 'post-roll', contentSegmentIndex: 3, contentTimeSeconds: 12, stitchedStartSeconds: 12, durationSeconds: 6.5, adCount: 1,
    }]);
    expect(stitchedLines(tsContent, [pod(20_000, tsAd)]).slice(-2)).toEqual(['#EXT-X-CUE-IN', '#EXT-X-ENDLIST']);
  });

  test('two ads at one position make one pod: one CUE-OUT of the summed duration and a DISCONTINUITY between the ads', () => {
    const lines = stitchedLines(tsContent, [pod(4000, tsAd, secondTsAd)]);
    const b0 = 'https://ads.example/spots/soap/b0.ts';
    expect(uris(lines)).toEqual([c('c0.ts'), a('a0.ts'), a('a1.ts'), b0, c('c1.ts'), c('c2.ts')]);
    expect(lines.filter((line) => line.startsWith('#EXT-X-CUE-OUT'))).toEqual(['#EXT-X-CUE-OUT:DURATION=9.5']);
    expect(tagsBefore(lines, b0)).toEqual(['#EXT-X-DISCONTINUITY', '#EXTINF:3,']);
    expect(lines.filter((line) => line === '#EXT-X-CUE-IN')).toHaveLength(1);
  });

  test('pods whose positions land on the same boundary merge into one pod, in request order', () => {
    const { playlist, pods } = spliceMediaPlaylist(tsContent, [pod(2500, tsAd), pod(4000, secondTsAd)], { dateRanges: false });
    expect(pods).toEqual([{
      placement: 'mid-roll', contentSegmentIndex: 1, contentTimeSeconds: 4, stitchedStartSeconds: 4, durationSeconds: 9.5, adCount: 2,
    }]);
    expect(playlist.segments.map((segment) => segment.markers.map((marker) => marker.type))).toEqual([[], ['OUT'], [], [], ['IN'], []]);
    expect(playlist.segments[1].markers[0].duration).toBe(9.5);
  });

  test('pods at distinct boundaries are placed on the stitched timeline after the ads before them', () => {
    const { pods } = spliceMediaPlaylist(tsContent, [pod(0, tsAd), pod(8000, secondTsAd), pod(-1, tsAd)], { dateRanges: false });
    expect(pods.map((placed) => [placed.placement, placed.contentSegmentIndex, placed.stitchedStartSeconds])).toEqual([
      ['pre-roll', 0, 0], ['mid-roll', 2, 14.5], ['post-roll', 3, 21.5],
    ]);
  });

  test('TARGETDURATION is recomputed: a 6.6 s ad EXTINF in TARGETDURATION 4 content makes it 7', () => {
    const longAd = media('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:7\n#EXTINF:6.6,\nlong.ts\n#EXT-X-ENDLIST\n', adUrl);
    const { playlist } = spliceMediaPlaylist(tsContent, [pod(4000, longAd)], { dateRanges: false });
    expect(playlist.targetDuration).toBe(7);
    expect(serializePlaylist(playlist)).toContain('#EXT-X-TARGETDURATION:7\n');
    expect(validateMediaPlaylist(playlist)).toEqual([]);
  });

  test('TARGETDURATION is not lowered below the longest content segment by short ads', () => {
    const { playlist } = spliceMediaPlaylist(tsContent, [pod(4000, secondTsAd)], { dateRanges: false });
    expect(playlist.targetDuration).toBe(4);
  });

  test('VERSION is raised to 6 when an fMP4 ad brings EXT-X-MAP into version 3 content', () => {
    const { playlist } = spliceMediaPlaylist(tsContent, [pod(4000, fmp4Ad)], { dateRanges: false });
    expect(tsContent.version).toBe(3);
    expect(playlist.version).toBe(6);
    expect(serializePlaylist(playlist)).toContain('#EXT-X-VERSION:6\n');
  });

  test('VERSION is at least 4 when an ad uses EXT-X-BYTERANGE', () => {
    const byterangeAd = media(`#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:4
#EXTINF:4.000,
#EXT-X-BYTERANGE:75000@0
spot.ts
#EXTINF:2.000,
#EXT-X-BYTERANGE:37000@75000
spot.ts
#EXT-X-ENDLIST
`, adUrl);
    const { playlist } = spliceMediaPlaylist(tsContent, [pod(4000, byterangeAd)], { dateRanges: false });
    expect(playlist.version).toBeGreaterThanOrEqual(4);
    expect(validateMediaPlaylist(playlist)).toEqual([]);
  });

  test('the content EXT-X-MAP is declared again after the DISCONTINUITY that follows an fMP4 ad', () => {
    const lines = stitchedLines(fmp4Content, [pod(4000, fmp4Ad)]);
    expect(uris(lines)).toEqual([c('c0.m4s'), a('a0.m4s'), a('a1.m4s'), c('c1.m4s'), c('c2.m4s')]);
    expect(tagsBefore(lines, a('a0.m4s'))).toEqual([
      '#EXT-X-DISCONTINUITY', `#EXT-X-MAP:URI="${a('init.mp4')}"`, '#EXT-X-CUE-OUT:DURATION=4', '#EXTINF:2,',
    ]);
    expect(tagsBefore(lines, c('c1.m4s'))).toEqual(['#EXT-X-DISCONTINUITY', `#EXT-X-MAP:URI="${c('init.mp4')}"`, '#EXT-X-CUE-IN', '#EXTINF:4,']);
  });

  test('two identical fMP4 ads back to back each declare their EXT-X-MAP after their DISCONTINUITY', () => {
    const lines = stitchedLines(fmp4Content, [pod(4000, fmp4Ad, fmp4Ad)]);
    const adMap = `#EXT-X-MAP:URI="${a('init.mp4')}"`;
    const adStarts = lines.flatMap((line, index) => line === a('a0.m4s') ? [index] : []);
    expect(adStarts).toHaveLength(2);
    for (const start of adStarts) {
      expect(tagsBeforeIndex(lines, start).slice(0, 2)).toEqual(['#EXT-X-DISCONTINUITY', adMap]);
    }
    expect(lines.filter((line) => line === adMap)).toHaveLength(2);
  });

  test('a clear ad in AES-128 content is preceded by EXT-X-KEY:METHOD=NONE and followed by the content key again', () => {
    const keyLine = `#EXT-X-KEY:METHOD=AES-128,URI="${c('keys/k1.bin')}",IV=0x0000000000000000000000000000000A`;
    const encrypted = media(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.bin",IV=0x0000000000000000000000000000000A
#EXTINF:4.000,
c0.ts
#EXTINF:4.000,
c1.ts
#EXT-X-ENDLIST
`, contentUrl);
    const lines = stitchedLines(encrypted, [pod(4000, tsAd)]);
    expect(tagsBefore(lines, c('c0.ts'))).toEqual([keyLine, '#EXTINF:4,']);
    expect(tagsBefore(lines, a('a0.ts'))).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-KEY:METHOD=NONE', '#EXT-X-CUE-OUT:DURATION=6.5', '#EXTINF:4,']);
    expect(tagsBefore(lines, a('a1.ts'))).toEqual(['#EXTINF:2.5,']);
    expect(tagsBefore(lines, c('c1.ts'))).toEqual(['#EXT-X-DISCONTINUITY', keyLine, '#EXT-X-CUE-IN', '#EXTINF:4,']);
  });

  test('BYTERANGE content segments keep their byte ranges, with explicit offsets after the pod', () => {
    const ranged = media(`#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.000,
#EXT-X-BYTERANGE:1000@0
movie.ts
#EXTINF:4.000,
#EXT-X-BYTERANGE:1200
movie.ts
#EXTINF:4.000,
#EXT-X-BYTERANGE:900
movie.ts
#EXT-X-ENDLIST
`, contentUrl);
    const { playlist } = spliceMediaPlaylist(ranged, [pod(8000, tsAd)], { dateRanges: false });
    expect(playlist.segments.map((segment) => [segment.uri, segment.byterange])).toEqual([
      [c('movie.ts'), { length: 1000, offset: 0 }],
      [c('movie.ts'), { length: 1200, offset: 1000 }],
      [a('a0.ts'), undefined],
      [a('a1.ts'), undefined],
      [c('movie.ts'), { length: 900, offset: 2200 }],
    ]);
    const lines = serializePlaylist(playlist).split('\n');
    expect(lines.filter((line) => line.startsWith('#EXT-X-BYTERANGE'))).toEqual([
      '#EXT-X-BYTERANGE:1000@0', '#EXT-X-BYTERANGE:1200@1000', '#EXT-X-BYTERANGE:900@2200',
    ]);
    expect(playlist.version).toBeGreaterThanOrEqual(4);
  });

  describe('with dateRanges', () => {
    const pdtContent = media(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z
#EXTINF:4.000,
c0.ts
#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:04.000Z
#EXTINF:4.000,
c1.ts
#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:08.000Z
#EXTINF:4.000,
c2.ts
#EXT-X-ENDLIST
`, contentUrl);

    test('the playlist has exactly one EXT-X-PROGRAM-DATE-TIME, on its first segment, even when the content had one per segment', () => {
      const lines = stitchedLines(pdtContent, [pod(0, tsAd), pod(8000, secondTsAd)], true);
      expect(lines.filter((line) => line.startsWith('#EXT-X-PROGRAM-DATE-TIME'))).toEqual(['#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z']);
      expect(tagsBefore(lines, a('a0.ts'))).toContain('#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z');
    });

    test('each pod gets one EXT-X-DATERANGE whose START-DATE is the first PROGRAM-DATE-TIME plus its stitched start', () => {
      const { playlist, pods } = spliceMediaPlaylist(pdtContent, [pod(0, tsAd), pod(8000, secondTsAd)], { dateRanges: true });
      const dateRangeLines = serializePlaylist(playlist).split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE'));
      expect(dateRangeLines).toHaveLength(2);
      const first = Date.parse('2024-05-01T12:00:00.000Z');
      const starts = dateRangeLines.map((line) => Date.parse(/START-DATE="([^"]+)"/.exec(line)![1]) - first);
      expect(starts).toEqual(pods.map((placed) => Math.round(placed.stitchedStartSeconds * 1000)));
      expect(starts).toEqual([0, 14_500]);
      expect(dateRangeLines.map((line) => /DURATION=([\d.]+)/.exec(line)![1])).toEqual(['6.5', '3']);
      expect(new Set(dateRangeLines.map((line) => /ID="([^"]+)"/.exec(line)![1])).size).toBe(2);
    });

    test('content without PROGRAM-DATE-TIME is given one, and the pods are dated on that timeline', () => {
      const { playlist, pods } = spliceMediaPlaylist(tsContent, [pod(4000, tsAd)], { dateRanges: true });
      const text = serializePlaylist(playlist);
      const pdt = text.split('\n').filter((line) => line.startsWith('#EXT-X-PROGRAM-DATE-TIME:'));
      expect(pdt).toHaveLength(1);
      const start = Date.parse(pdt[0].slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
      const dateRange = /#EXT-X-DATERANGE:.*START-DATE="([^"]+)"/.exec(text)!;
      expect(Date.parse(dateRange[1]) - start).toBe(pods[0].stitchedStartSeconds * 1000);
      expect(playlist.segments[0].uri).toBe(c('c0.ts'));
      expect(playlist.segments[0].programDateTime).toBeDefined();
    });

    test('validateMediaPlaylist reports no problem for the stitched playlist, before and after a text round trip', () => {
      const { playlist } = spliceMediaPlaylist(pdtContent, [pod(0, tsAd), pod(4000, secondTsAd, tsAd)], { dateRanges: true });
      expect(validateMediaPlaylist(playlist)).toEqual([]);
      const reparsed = parsePlaylist(serializePlaylist(playlist), { strict: true }) as MediaPlaylist;
      expect(validateMediaPlaylist(reparsed)).toEqual([]);
      expect(reparsed.segments.filter((segment) => segment.dateRange)).toHaveLength(2);
    });
  });

  test('without dateRanges no PROGRAM-DATE-TIME or DATERANGE is added', () => {
    const text = serializePlaylist(spliceMediaPlaylist(tsContent, [pod(4000, tsAd)], { dateRanges: false }).playlist);
    expect(text).not.toContain('#EXT-X-PROGRAM-DATE-TIME');
    expect(text).not.toContain('#EXT-X-DATERANGE');
  });

  test('a pod without ads places nothing and leaves the content segments as they were', () => {
    const { playlist, pods } = spliceMediaPlaylist(tsContent, [{ positionMs: 4000, ads: [] }], { dateRanges: false });
    expect(pods).toEqual([]);
    expect(playlist.segments).toEqual(tsContent.segments);
    expect(serializePlaylist(playlist)).not.toMatch(/DISCONTINUITY|CUE-OUT|CUE-IN/);
  });

  test('the content and ad playlists given are not modified', () => {
    const keyed = media(`#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z
#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.bin"
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
c0.m4s
#EXTINF:4.000,
c1.m4s
#EXT-X-ENDLIST
`, contentUrl);
    const snapshot = (value: unknown) => JSON.parse(JSON.stringify(value));
    const contentBefore = snapshot(keyed);
    const adBefore = snapshot(fmp4Ad);
    const adPods = [pod(0, fmp4Ad), pod(4000, fmp4Ad, fmp4Ad), pod(-1, fmp4Ad)];
    const podsBefore = snapshot(adPods);
    const result = spliceMediaPlaylist(keyed, adPods, { dateRanges: true });
    serializePlaylist(result.playlist);
    expect(snapshot(keyed)).toEqual(contentBefore);
    expect(snapshot(fmp4Ad)).toEqual(adBefore);
    expect(snapshot(adPods)).toEqual(podsBefore);
    expect(result.playlist).not.toBe(keyed);
  });
});
