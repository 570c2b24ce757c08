import * as fc from 'fast-check';
import * as hlsParser from 'hls-parser';
import {
  HlsParseError,
  isMediaPlaylist,
  isMultivariantPlaylist,
  Key,
  MediaInitializationSection,
  MediaPlaylist,
  MultivariantPlaylist,
  parsePlaylist,
  Playlist,
  requiredVersion,
  Segment,
  serializePlaylist,
  targetDurationFor,
  validateMediaPlaylist,
} from '../../lambda-src/hls';

const tsMediaPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:6.000,
segment0.ts
#EXTINF:6.000,
segment1.ts
#EXTINF:3.480,
segment2.ts
#EXT-X-ENDLIST
`;

const fmp4MediaPlaylist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
segment0.m4s
#EXTINF:2.500,
segment1.m4s
#EXT-X-ENDLIST
`;

const byteRangePlaylist = `#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:10
#EXTINF:10.0,
#EXT-X-BYTERANGE:75232@0
video.ts
#EXTINF:10.0,
#EXT-X-BYTERANGE:82112
video.ts
#EXT-X-ENDLIST
`;

const encryptedThenClearPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k1"
#EXTINF:6.0,
content0.ts
#EXT-X-KEY:METHOD=NONE
#EXTINF:6.0,
ad0.ts
#EXT-X-ENDLIST
`;

const multivariantPlaylist = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=YES,URI="audio/de.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aac",SUBTITLES="subs"
720p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aac",SUBTITLES="subs"
360p.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,CODECS="avc1.64001f",URI="720p-iframes.m3u8"
`;

const extinfOverTargetDuration = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXTINF:6.6,
segment0.ts
#EXT-X-ENDLIST
`;

const llHlsPlaylist = `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:4
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0,HOLD-BACK=12
#EXT-X-PART-INF:PART-TARGET=1.0
#EXT-X-MEDIA-SEQUENCE:100
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
segment100.m4s
#EXT-X-PART:DURATION=1.0,URI="segment101.part0.m4s",INDEPENDENT=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="segment101.part1.m4s"
`;

function parseMedia(text: string, strict = true): MediaPlaylist {
  const playlist = parsePlaylist(text, { strict });
  if (!isMediaPlaylist(playlist)) {
    throw new Error('expected a media playlist');
  }
  return playlist;
}

function parseMultivariant(text: string): MultivariantPlaylist {
  const playlist = parsePlaylist(text);
  if (!isMultivariantPlaylist(playlist)) {
    throw new Error('expected a multivariant playlist');
  }
  return playlist;
}

function errorOf(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parsePlaylist', () => {
  test('reads segment URIs and durations of a TS media playlist', () => {
    const playlist = parseMedia(tsMediaPlaylist);

    expect(playlist.segments.map((segment) => [segment.uri, segment.duration])).toEqual([
      ['segment0.ts', 6],
      ['segment1.ts', 6],
      ['segment2.ts', 3.48],
    ]);
  });

  test('reads TARGETDURATION, ENDLIST and PLAYLIST-TYPE of a media playlist', () => {
    const playlist = parseMedia(tsMediaPlaylist);

    expect([playlist.targetDuration, playlist.endlist, playlist.playlistType]).toEqual([6, true, 'VOD']);
  });

  test('applies the EXT-X-MAP of an fMP4 playlist to every following segment', () => {
    const playlist = parseMedia(fmp4MediaPlaylist);

    expect(playlist.segments.map((segment) => segment.map?.uri)).toEqual(['init.mp4', 'init.mp4']);
  });

  test('computes a missing BYTERANGE offset from the previous sub-range of the same resource', () => {
    const playlist = parseMedia(byteRangePlaylist);

    expect(playlist.segments.map((segment) => segment.byterange)).toEqual([
      { length: 75232, offset: 0 },
      { length: 82112, offset: 75232 },
    ]);
  });

  test('models METHOD=NONE after an AES-128 key as a NONE key on the following segments', () => {
    const playlist = parseMedia(encryptedThenClearPlaylist);

    expect(playlist.segments.map((segment) => segment.key?.method)).toEqual(['AES-128', 'NONE']);
  });

  test('recognises a multivariant playlist with its variants and I-frame stream', () => {
    const playlist = parseMultivariant(multivariantPlaylist);

    expect(playlist.variants.map((variant) => [variant.uri, variant.isIFrameOnly])).toEqual([
      ['720p.m3u8', false],
      ['360p.m3u8', false],
      ['720p-iframes.m3u8', true],
    ]);
  });

  test('attaches the audio and subtitles groups of a multivariant playlist to each variant', () => {
    const [variant] = parseMultivariant(multivariantPlaylist).variants;

    expect([variant.audio.map((rendition) => rendition.uri), variant.subtitles.map((rendition) => rendition.uri)]).toEqual([
      ['audio/en.m3u8', 'audio/de.m3u8'],
      ['subs/en.m3u8'],
    ]);
  });

  test('throws HlsParseError in strict mode when EXTINF 6.6 rounds above TARGETDURATION 6', () => {
    const error = errorOf(() => parsePlaylist(extinfOverTargetDuration, { strict: true }));

    expect(error).toBeInstanceOf(HlsParseError);
    expect((error as Error).message).toMatch(/^invalid playlist: EXTINF duration, when rounded to the nearest integer, MUST be less than or equal to the target duration$/);
  });

  test('is strict by default', () => {
    expect(() => parsePlaylist(extinfOverTargetDuration)).toThrow(HlsParseError);
  });

  test('accepts EXTINF above TARGETDURATION when not strict', () => {
    const playlist = parseMedia(extinfOverTargetDuration, false);

    expect(playlist.segments.map((segment) => segment.duration)).toEqual([6.6]);
  });

  test('does not log the problems it tolerates when not strict', () => {
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    parsePlaylist(extinfOverTargetDuration, { strict: false });

    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });

  test.each([true, false])('throws HlsParseError for text that is not a playlist (strict=%s)', (strict) => {
    expect(() => parsePlaylist('not a playlist', { strict })).toThrow(new HlsParseError('The EXTM3U tag MUST be the first line.'));
  });

  test('wraps the hls-parser error as the cause of HlsParseError', () => {
    const error = errorOf(() => parsePlaylist(extinfOverTargetDuration)) as HlsParseError;

    expect(error.cause).toBeInstanceOf(Error);
  });

  test('restores the hls-parser options that were set before the call', () => {
    hlsParser.setOptions({ strictMode: false, silent: false });
    try {
      errorOf(() => parsePlaylist(extinfOverTargetDuration, { strict: true }));

      expect(hlsParser.getOptions()).toEqual(expect.objectContaining({ strictMode: false, silent: false }));
    } finally {
      hlsParser.setOptions({ strictMode: undefined, silent: undefined });
    }
  });

  test('leaves hls-parser unset options unset after the call', () => {
    parsePlaylist(tsMediaPlaylist, { strict: true });

    expect(hlsParser.getOptions().strictMode).toBeUndefined();
  });

  test('keeps the key and map of the trailing LL-HLS segment that has only parts', () => {
    const playlist = parseMedia(llHlsPlaylist);
    const tail = playlist.segments[playlist.segments.length - 1];

    expect([tail.uri, tail.key, tail.map?.uri, tail.parts.map((part) => part.uri)]).toEqual([
      '',
      null,
      'init.mp4',
      ['segment101.part0.m4s', 'segment101.part1.m4s'],
    ]);
  });
});

describe('serializePlaylist', () => {
  test('writes back a TS media playlist with the same segments', () => {
    const reparsed = parseMedia(serializePlaylist(parseMedia(tsMediaPlaylist)));

    expect(reparsed.segments.map((segment) => [segment.uri, segment.duration])).toEqual([
      ['segment0.ts', 6],
      ['segment1.ts', 6],
      ['segment2.ts', 3.48],
    ]);
  });

  test('writes BYTERANGE offsets explicitly', () => {
    expect(serializePlaylist(parseMedia(byteRangePlaylist))).toContain('#EXT-X-BYTERANGE:82112@75232\nvideo.ts');
  });

  test('writes the EXT-X-MAP of an fMP4 playlist once', () => {
    expect(serializePlaylist(parseMedia(fmp4MediaPlaylist)).match(/#EXT-X-MAP:URI="init.mp4"/g)).toHaveLength(1);
  });

  test('writes METHOD=NONE where encryption stops', () => {
    expect(serializePlaylist(parseMedia(encryptedThenClearPlaylist))).toContain('#EXT-X-KEY:METHOD=NONE\n#EXTINF:6,\nad0.ts');
  });

  test('adds METHOD=NONE before a key-less segment that follows an encrypted one', () => {
    const playlist = parseMedia(encryptedThenClearPlaylist);
    const clearAd = new Segment({ uri: 'ad1.ts', duration: 6 });
    const spliced = new MediaPlaylist({ ...playlist, segments: [playlist.segments[0], clearAd] });

    expect(parseMedia(serializePlaylist(spliced)).segments[1].key?.method).toBe('NONE');
  });

  test('writes a multivariant playlist whose renditions survive a re-parse', () => {
    const reparsed = parseMultivariant(serializePlaylist(parseMultivariant(multivariantPlaylist)));

    expect(reparsed.variants[1].audio.map((rendition) => rendition.name)).toEqual(['English', 'Deutsch']);
  });

  test('keeps repeated EXT-X-GAP tags that strict hls-parser stringify would reject', () => {
    const playlist = new MediaPlaylist({
      version: 8,
      targetDuration: 6,
      endlist: true,
      segments: [
        new Segment({ uri: 'gap0.ts', duration: 6, gap: true }),
        new Segment({ uri: 'gap1.ts', duration: 6, gap: true }),
      ],
    });

    expect(serializePlaylist(playlist).match(/#EXT-X-GAP/g)).toHaveLength(2);
  });

  test('writes EXTINF as an integer when EXT-X-VERSION is below 3 (hls-parser behaviour)', () => {
    const playlist = new MediaPlaylist({ version: 2, targetDuration: 6, segments: [new Segment({ uri: 'a.ts', duration: 5.5 })] });

    expect(serializePlaylist(playlist)).toContain('#EXTINF:6,');
  });

  test('ends the text with a newline', () => {
    expect(serializePlaylist(parseMedia(tsMediaPlaylist)).endsWith('#EXT-X-ENDLIST\n')).toBe(true);
  });
});

describe('generated media playlists', () => {
  const segmentShape = fc.record({
    name: fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
    query: fc.option(fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{1,8}$/), { nil: undefined }),
    milliseconds: fc.integer({ min: 500, max: 10_000 }),
    byteLength: fc.integer({ min: 1, max: 2_000_000 }),
  });
  const playlistShape = fc.record({
    segments: fc.array(segmentShape, { minLength: 1, maxLength: 50 }),
    withByteranges: fc.boolean(),
    withMap: fc.boolean(),
  });

  const generatedPlaylists = playlistShape.map((shape): MediaPlaylist => {
    const map = shape.withMap ? new MediaInitializationSection({ uri: 'init.mp4' }) : undefined;
    let offset = 0;
    const segments = shape.segments.map(({ name, query, milliseconds, byteLength }) => {
      const byterange = shape.withByteranges ? { length: byteLength, offset } : undefined;
      offset += byteLength;
      const uri = `${name}.${shape.withMap ? 'm4s' : 'ts'}${query ? `?${query}` : ''}`;
      return new Segment({ uri, duration: milliseconds / 1000, byterange, map });
    });
    const playlist = new MediaPlaylist({ targetDuration: targetDurationFor(segments), playlistType: 'VOD', endlist: true, segments });
    playlist.version = requiredVersion(playlist);
    return playlist;
  });

  test('round-trip through serializePlaylist and strict parsePlaylist keeps segment count, durations and URIs', () => {
    fc.assert(fc.property(generatedPlaylists, (playlist) => {
      const reparsed = parseMedia(serializePlaylist(playlist), true);

      expect(reparsed.segments.map(({ uri, duration, byterange, map }) => ({ uri, duration, byterange, mapUri: map?.uri }))).toEqual(
        playlist.segments.map(({ uri, duration, byterange, map }) => ({ uri, duration, byterange, mapUri: map?.uri })),
      );
    }), { numRuns: 200 });
  });

  test('have no validation problems when TARGETDURATION and VERSION come from targetDurationFor and requiredVersion', () => {
    fc.assert(fc.property(generatedPlaylists, (playlist) => {
      expect(validateMediaPlaylist(playlist)).toEqual([]);
      expect(validateMediaPlaylist(parseMedia(serializePlaylist(playlist), true))).toEqual([]);
    }), { numRuns: 200 });
  });
});

describe('type guards', () => {
  test.each<[string, string, boolean]>([
    ['media', tsMediaPlaylist, false],
    ['multivariant', multivariantPlaylist, true],
  ])('tell a %s playlist apart', (_kind, text, multivariant) => {
    const playlist: Playlist = parsePlaylist(text);

    expect([isMultivariantPlaylist(playlist), isMediaPlaylist(playlist)]).toEqual([multivariant, !multivariant]);
  });

  test('keep hls-parser classes so instanceof works on parsed keys', () => {
    expect(parseMedia(encryptedThenClearPlaylist).segments[0].key).toBeInstanceOf(Key);
  });
});

describe('tags after the last segment', () => {
  test('a closing EXT-X-CUE-IN after the last URI is not read as another segment', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4,\nc0.ts\n#EXT-X-CUE-OUT:DURATION=3\n#EXTINF:3,\na0.ts\n#EXT-X-CUE-IN\n#EXT-X-ENDLIST\n';
    const playlist = parsePlaylist(text, { strict: true }) as MediaPlaylist;
    expect(playlist.segments.map((segment) => segment.uri)).toEqual(['c0.ts', 'a0.ts']);
    expect(serializePlaylist(playlist)).toContain('#EXT-X-CUE-IN\n#EXT-X-ENDLIST');
  });
});
