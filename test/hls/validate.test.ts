import {
  isMediaPlaylist,
  isMultivariantPlaylist,
  MediaPlaylist,
  MultivariantPlaylist,
  parsePlaylist,
  requiredVersion,
  Segment,
  mediaPlaylistTextProblem,
  targetDurationFor,
  validateMediaPlaylist,
  validateMultivariantPlaylist,
} from '../../lambda-src/hls';

const validTsPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:6.000,
segment0.ts
#EXTINF:5.500,
segment1.ts
#EXT-X-ENDLIST
`;

const extinfOverTargetDuration = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXTINF:6.000,
segment0.ts
#EXTINF:6.6,
segment1.ts
#EXT-X-ENDLIST
`;

const byteRangeWithVersion3 = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:10
#EXTINF:10.0,
#EXT-X-BYTERANGE:75232@0
video.ts
#EXT-X-ENDLIST
`;

const dateRangeWithoutProgramDateTime = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-DATERANGE:ID="ad-1",START-DATE="2024-05-01T10:00:00.000Z",DURATION=30
#EXTINF:6.0,
segment0.ts
#EXT-X-ENDLIST
`;

const dateRangeWithProgramDateTime = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-PROGRAM-DATE-TIME:2024-05-01T10:00:00.000Z
#EXT-X-DATERANGE:ID="ad-1",START-DATE="2024-05-01T10:00:00.000Z",DURATION=30
#EXTINF:6.0,
segment0.ts
#EXT-X-ENDLIST
`;

const lastSegmentWithoutUri = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXTINF:6.0,
segment0.ts
#EXTINF:6.0,
`;

const negativeDuration = `#EXTM3U
#EXT-X-TARGETDURATION:6
#EXTINF:-1,
segment0.ts
#EXT-X-ENDLIST
`;

const liveLlHlsPlaylist = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0,HOLD-BACK=12
#EXT-X-PART-INF:PART-TARGET=1.0
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
segment100.m4s
#EXT-X-PART:DURATION=1.0,URI="segment101.part0.m4s",INDEPENDENT=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="segment101.part1.m4s"
`;

const validMultivariantPlaylist = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aac",SUBTITLES="subs"
720p.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,CODECS="avc1.64001f",URI="720p-iframes.m3u8"
`;

const variantWithoutBandwidth = `#EXTM3U
#EXT-X-STREAM-INF:CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360
360p.m3u8
`;

const undeclaredGroups = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,AUDIO="ac3",SUBTITLES="subs"
720p.m3u8
`;

function parseMedia(text: string): MediaPlaylist {
  const playlist = parsePlaylist(text, { strict: false });
  if (!isMediaPlaylist(playlist)) {
    throw new Error('expected a media playlist');
  }
  return playlist;
}

function parseMultivariant(text: string): MultivariantPlaylist {
  const playlist = parsePlaylist(text, { strict: false });
  if (!isMultivariantPlaylist(playlist)) {
    throw new Error('expected a multivariant playlist');
  }
  return playlist;
}

function rulesOf(problems: ReadonlyArray<{ rule: string }>): string[] {
  return problems.map((problem) => problem.rule);
}

describe('validateMediaPlaylist', () => {
  test('reports nothing for a valid TS playlist', () => {
    expect(validateMediaPlaylist(parseMedia(validTsPlaylist))).toEqual([]);
  });

  test('reports EXTINF 6.6 rounding to 7 over TARGETDURATION 6 with the segment index and values', () => {
    expect(validateMediaPlaylist(parseMedia(extinfOverTargetDuration))).toEqual([{
      rule: 'extinf-exceeds-target-duration',
      message: 'segment 1 EXTINF 6.6 rounds to 7, above EXT-X-TARGETDURATION 6',
    }]);
  });

  test('reports an EXT-X-VERSION lower than the BYTERANGE tag needs', () => {
    expect(validateMediaPlaylist(parseMedia(byteRangeWithVersion3))).toEqual([{
      rule: 'version-too-low',
      message: 'EXT-X-VERSION is 3 but the tags used need 4',
    }]);
  });

  test('reports EXT-X-DATERANGE without any EXT-X-PROGRAM-DATE-TIME', () => {
    expect(rulesOf(validateMediaPlaylist(parseMedia(dateRangeWithoutProgramDateTime)))).toEqual(['daterange-without-program-date-time']);
  });

  test('accepts EXT-X-DATERANGE when EXT-X-PROGRAM-DATE-TIME is present', () => {
    expect(validateMediaPlaylist(parseMedia(dateRangeWithProgramDateTime))).toEqual([]);
  });

  test('reports a segment without URI', () => {
    expect(validateMediaPlaylist(parseMedia(lastSegmentWithoutUri))).toEqual([{ rule: 'segment-without-uri', message: 'segment 1 has no URI' }]);
  });

  test('reports a negative EXTINF duration (built in code: parsePlaylist refuses it in text)', () => {
    const playlist = parseMedia(negativeDuration.replace('#EXTINF:-1', '#EXTINF:1'));
    playlist.segments[0].duration = -1;

    expect(validateMediaPlaylist(playlist)).toEqual([{
      rule: 'invalid-segment-duration',
      message: 'segment 0 has EXTINF duration -1',
    }]);
  });

  test('reports a NaN segment duration', () => {
    const playlist = parseMedia(validTsPlaylist);
    playlist.segments.push(new Segment({ uri: 'segment2.ts', duration: NaN }));

    expect(rulesOf(validateMediaPlaylist(playlist))).toEqual(['invalid-segment-duration']);
  });

  test('reports a missing EXT-X-TARGETDURATION', () => {
    const playlist = parseMedia(validTsPlaylist);
    playlist.targetDuration = undefined as unknown as number;

    expect(rulesOf(validateMediaPlaylist(playlist))).toEqual(['missing-target-duration']);
  });

  test('accepts the URI-less trailing segment of a live LL-HLS playlist', () => {
    expect(validateMediaPlaylist(parsePlaylist(liveLlHlsPlaylist) as MediaPlaylist)).toEqual([]);
  });
});

describe('validateMultivariantPlaylist', () => {
  test('reports nothing for a valid multivariant playlist with audio, subtitles and an I-frame stream', () => {
    expect(validateMultivariantPlaylist(parseMultivariant(validMultivariantPlaylist))).toEqual([]);
  });

  test('reports a variant without BANDWIDTH', () => {
    expect(validateMultivariantPlaylist(parseMultivariant(variantWithoutBandwidth))).toEqual([{
      rule: 'variant-without-bandwidth',
      message: 'variant 0 (360p.m3u8) has no BANDWIDTH',
    }]);
  });

  test('reports AUDIO and SUBTITLES group ids that no EXT-X-MEDIA declares', () => {
    expect(validateMultivariantPlaylist(parseMultivariant(undeclaredGroups)).map((problem) => problem.message)).toEqual([
      'variant 720p.m3u8 refers to AUDIO group "ac3" that no EXT-X-MEDIA declares',
      'variant 720p.m3u8 refers to SUBTITLES group "subs" that no EXT-X-MEDIA declares',
    ]);
  });
});

describe('requiredVersion', () => {
  test.each<[string, string, number]>([
    ['integer EXTINF only', '#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts', 1],
    ['an IV attribute', '#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x00000000000000000000000000000001\n#EXTINF:6,\na.ts', 2],
    ['floating-point EXTINF', '#EXT-X-TARGETDURATION:6\n#EXTINF:5.5,\na.ts', 3],
    ['EXT-X-BYTERANGE', '#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n#EXT-X-BYTERANGE:100@0\na.ts', 4],
    ['EXT-X-I-FRAMES-ONLY', '#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:6,\n#EXT-X-BYTERANGE:100@0\na.ts', 4],
    ['KEYFORMAT', '#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery"\n#EXTINF:6,\na.ts', 5],
    ['EXT-X-MAP in an I-frames-only playlist', '#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6,\n#EXT-X-BYTERANGE:100@0\na.m4s', 5],
    ['EXT-X-MAP', '#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6,\na.m4s', 6],
  ])('is the version that %s needs', (_tags, body, version) => {
    expect(requiredVersion(parseMedia(`#EXTM3U\n${body}\n`))).toBe(version);
  });
});

describe('mediaPlaylistTextProblem', () => {
  const playlist = (...lines: string[]) => ['#EXTM3U', '#EXT-X-TARGETDURATION:2', ...lines, '#EXT-X-ENDLIST', ''].join('\n');

  test('finds nothing wrong with decimal EXTINFs, each followed by a URI', () => {
    expect(mediaPlaylistTextProblem(playlist('#EXTINF:2,', 'a.ts', '#EXTINF:2.000,title', 'b.ts', '#EXTINF:0.5', 'c.ts'))).toBeUndefined();
  });

  test.each([
    ['-1', 'segment 0 has EXTINF -1; RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds'],
    ['NaN', 'segment 0 has EXTINF NaN; RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds'],
    ['1e308', 'segment 0 has EXTINF 1e308; RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds'],
    ['Infinity', 'segment 0 has EXTINF Infinity; RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds'],
    ['', 'segment 0 has EXTINF (empty); RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds'],
  ])('refuses EXTINF:%s, naming the segment and the rule', (value, problem) => {
    expect(mediaPlaylistTextProblem(playlist(`#EXTINF:${value},`, 'a.ts'))).toBe(problem);
  });

  test('refuses an EXTINF above the bound given', () => {
    expect(mediaPlaylistTextProblem(playlist('#EXTINF:2,', 'a.ts', '#EXTINF:90000,', 'b.ts'), 86_400))
      .toBe('segment 1 has EXTINF 90000, longer than the 86400 s the stitcher accepts');
  });

  test('refuses a URI line without EXTINF, naming it', () => {
    expect(mediaPlaylistTextProblem(playlist('#EXTINF:2,', 'a.ts', 'b.ts'))).toBe('segment 1 (b.ts) has no EXTINF; RFC 8216 4.3.2.1 requires one before every media segment URI');
  });

  test('leaves multivariant playlists alone', () => {
    expect(mediaPlaylistTextProblem('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n')).toBeUndefined();
  });
});

describe('targetDurationFor', () => {
  test('is the longest EXTINF rounded to the nearest integer', () => {
    expect(targetDurationFor([{ duration: 4 }, { duration: 6.6 }, { duration: 2 }])).toBe(7);
  });

  test('rounds EXTINF down when under half a second over', () => {
    expect(targetDurationFor([{ duration: 6.4 }])).toBe(6);
  });

  test('takes any number of segments: 130,000 (a 72 h rendition) and 1,000,000 do not overflow the call stack', () => {
    for (const count of [130_000, 1_000_000]) {
      const segments = Array.from({ length: count }, (_, index) => ({ duration: index === count - 1 ? 9.6 : 2 }));
      expect(targetDurationFor(segments)).toBe(10);
    }
  });

  test('is at least 1', () => {
    expect(targetDurationFor([{ duration: 0.2 }])).toBe(1);
  });

  test('is 1 for no segments', () => {
    expect(targetDurationFor([])).toBe(1);
  });
});
