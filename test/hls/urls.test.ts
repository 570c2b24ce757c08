import * as fc from 'fast-check';
import {
  absolutizePlaylist,
  isMediaPlaylist,
  isMultivariantPlaylist,
  MediaPlaylist,
  MultivariantPlaylist,
  parsePlaylist,
  resolveUri,
  serializePlaylist,
} from '../../lambda-src/hls';

const playlistUrl = 'https://cdn.example.com/vod/movie/720p/index.m3u8';
const masterUrl = 'https://cdn.example.com/vod/movie/master.m3u8';

const encryptedFmp4Playlist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="../init/720p.mp4?v=2"
#EXT-X-KEY:METHOD=AES-128,URI="../../keys/k1.key?token=abc"
#EXTINF:4.000,
segment0.m4s
#EXT-X-KEY:METHOD=NONE
#EXTINF:4.000,
/ads/ad0.m4s?campaign=7
#EXTINF:4.000,
https://ads.example.net/ad1.m4s
#EXT-X-ENDLIST
`;

const fairPlayPlaylist = `#EXTM3U
#EXT-X-VERSION:5
#EXT-X-TARGETDURATION:6
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://fairplay-key-42",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
#EXTINF:6.0,
segment0.ts
#EXT-X-ENDLIST
`;

const multivariantPlaylist = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/session.key"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=YES,URI="../shared/audio/de.m3u8?lang=de"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en.m3u8"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English CC",LANGUAGE="en",INSTREAM-ID="CC1"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aac",SUBTITLES="subs",CLOSED-CAPTIONS="cc"
720p/index.m3u8?token=abc
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,CODECS="avc1.64001f",URI="720p/iframes.m3u8"
`;

const llHlsPlaylist = `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:4
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0,HOLD-BACK=12
#EXT-X-PART-INF:PART-TARGET=1.0
#EXT-X-MEDIA-SEQUENCE:100
#EXTINF:4.0,
segment100.ts
#EXT-X-PART:DURATION=1.0,URI="segment101.part0.ts",INDEPENDENT=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="segment101.part1.ts"
#EXT-X-RENDITION-REPORT:URI="../480p/index.m3u8",LAST-MSN=101,LAST-PART=0
`;

function parseMedia(text: string): MediaPlaylist {
  const playlist = parsePlaylist(text);
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

describe('resolveUri', () => {
  test('resolves a sibling path against the playlist URL', () => {
    expect(resolveUri('segment0.ts', playlistUrl)).toBe('https://cdn.example.com/vod/movie/720p/segment0.ts');
  });

  test('resolves ../ segments', () => {
    expect(resolveUri('../../keys/k1.key', playlistUrl)).toBe('https://cdn.example.com/vod/keys/k1.key');
  });

  test('keeps the query string of the URI', () => {
    expect(resolveUri('../audio/en.m3u8?lang=en&token=a%20b', playlistUrl)).toBe('https://cdn.example.com/vod/movie/audio/en.m3u8?lang=en&token=a%20b');
  });

  test('does not carry the query string of the playlist URL over to relative URIs', () => {
    expect(resolveUri('segment0.ts', `${playlistUrl}?token=secret`)).toBe('https://cdn.example.com/vod/movie/720p/segment0.ts');
  });

  test('resolves a root-relative path against the playlist host', () => {
    expect(resolveUri('/ads/ad0.ts', playlistUrl)).toBe('https://cdn.example.com/ads/ad0.ts');
  });

  test('gives a scheme-relative URI the scheme of the playlist URL', () => {
    expect(resolveUri('//ads.example.net/ad0.ts', playlistUrl)).toBe('https://ads.example.net/ad0.ts');
  });

  test.each([
    ['https://ads.example.net/ad0.ts?x=1', 'https://ads.example.net/ad0.ts?x=1'],
    ['HTTP://Ads.Example.net', 'http://ads.example.net/'],
    ['http://ads.example.net/a/../b.ts', 'http://ads.example.net/b.ts'],
    ['http://ads.example.net/a.ts?q="x"', 'http://ads.example.net/a.ts?q=%22x%22'],
  ])('returns the absolute http(s) URL %s normalized and serialized, as %s', (uri, serialized) => {
    expect(resolveUri(uri, playlistUrl)).toBe(serialized);
  });

  test('refuses a URL whose serialization keeps a double quote (in its host), which no quoted-string may hold', () => {
    expect(() => resolveUri('http://a"b.example/x.ts', playlistUrl)).toThrow(/cannot be written into a playlist/);
  });

  test.each(['data:application/octet-stream;base64,AAAA', 'file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/a.ts'])(
    'rejects the non-http(s) URI %s',
    (uri) => {
      expect(() => resolveUri(uri, playlistUrl)).toThrow(/^unsupported scheme ".+:" in URI ".+": only http and https are allowed$/);
    },
  );

  test('rejects a base URL that is not an absolute http(s) URL', () => {
    expect(() => resolveUri('segment0.ts', 'vod/index.m3u8')).toThrow('cannot resolve base URL "vod/index.m3u8"');
  });

  test('shortens long data: URIs in the error message', () => {
    expect(() => resolveUri(`data:text/plain,${'x'.repeat(5000)}`, playlistUrl)).toThrow(/^.{0,200}$/);
  });
});

describe('absolutizePlaylist', () => {
  test('resolves segment URIs of a media playlist', () => {
    const absolute = absolutizePlaylist(parseMedia(encryptedFmp4Playlist), playlistUrl);

    expect(absolute.segments.map((segment) => segment.uri)).toEqual([
      'https://cdn.example.com/vod/movie/720p/segment0.m4s',
      'https://cdn.example.com/ads/ad0.m4s?campaign=7',
      'https://ads.example.net/ad1.m4s',
    ]);
  });

  test('resolves the EXT-X-MAP URI with its query string', () => {
    const absolute = absolutizePlaylist(parseMedia(encryptedFmp4Playlist), playlistUrl);

    expect(absolute.segments[0].map?.uri).toBe('https://cdn.example.com/vod/movie/init/720p.mp4?v=2');
  });

  test('resolves an AES-128 key URI and keeps METHOD=NONE without URI', () => {
    const absolute = absolutizePlaylist(parseMedia(encryptedFmp4Playlist), playlistUrl);

    expect(absolute.segments.map((segment) => [segment.key?.method, segment.key?.uri])).toEqual([
      ['AES-128', 'https://cdn.example.com/vod/keys/k1.key?token=abc'],
      ['NONE', undefined],
      ['NONE', undefined],
    ]);
  });

  test('keeps an skd:// FairPlay key URI as written', () => {
    const absolute = absolutizePlaylist(parseMedia(fairPlayPlaylist), playlistUrl);

    expect(absolute.segments[0].key?.uri).toBe('skd://fairplay-key-42');
  });

  test('keeps one key object shared by the segments it applies to', () => {
    const playlist = parseMedia(encryptedFmp4Playlist);
    const absolute = absolutizePlaylist(playlist, playlistUrl);

    expect(absolute.segments[2].key).toBe(absolute.segments[1].key);
  });

  test('resolves variant and I-frame variant URIs of a multivariant playlist', () => {
    const absolute = absolutizePlaylist(parseMultivariant(multivariantPlaylist), masterUrl);

    expect(absolute.variants.map((variant) => variant.uri)).toEqual([
      'https://cdn.example.com/vod/movie/720p/index.m3u8?token=abc',
      'https://cdn.example.com/vod/movie/720p/iframes.m3u8',
    ]);
  });

  test('resolves audio and subtitles rendition URIs', () => {
    const [variant] = absolutizePlaylist(parseMultivariant(multivariantPlaylist), masterUrl).variants;

    expect([...variant.audio, ...variant.subtitles].map((rendition) => rendition.uri)).toEqual([
      'https://cdn.example.com/vod/movie/audio/en.m3u8',
      'https://cdn.example.com/vod/shared/audio/de.m3u8?lang=de',
      'https://cdn.example.com/vod/movie/subs/en.m3u8',
    ]);
  });

  test('leaves closed-captions renditions without URI', () => {
    const [variant] = absolutizePlaylist(parseMultivariant(multivariantPlaylist), masterUrl).variants;

    expect(variant.closedCaptions.map((rendition) => [rendition.instreamId, rendition.uri])).toEqual([['CC1', undefined]]);
  });

  test('resolves session key URIs', () => {
    const absolute = absolutizePlaylist(parseMultivariant(multivariantPlaylist), masterUrl);

    expect(absolute.sessionKeyList.map((key) => key.uri)).toEqual(['https://cdn.example.com/vod/movie/keys/session.key']);
  });

  test('resolves EXT-X-PART and EXT-X-PRELOAD-HINT URIs', () => {
    const absolute = absolutizePlaylist(parseMedia(llHlsPlaylist), playlistUrl);

    expect(absolute.segments[1].parts.map((part) => part.uri)).toEqual([
      'https://cdn.example.com/vod/movie/720p/segment101.part0.ts',
      'https://cdn.example.com/vod/movie/720p/segment101.part1.ts',
    ]);
  });

  test('keeps EXT-X-RENDITION-REPORT URIs relative as RFC 8216bis requires', () => {
    const absolute = absolutizePlaylist(parseMedia(llHlsPlaylist), playlistUrl);

    expect(absolute.renditionReports.map((report) => report.uri)).toEqual(['../480p/index.m3u8']);
  });

  test('does not modify the input playlist', () => {
    const playlist = parseMultivariant(multivariantPlaylist);
    const before = serializePlaylist(playlist);

    absolutizePlaylist(playlist, masterUrl);

    expect(serializePlaylist(playlist)).toBe(before);
  });

  test('does not modify the input segments, keys or maps', () => {
    const playlist = parseMedia(encryptedFmp4Playlist);

    absolutizePlaylist(playlist, playlistUrl);

    expect([playlist.segments[0].uri, playlist.segments[0].key?.uri, playlist.segments[0].map?.uri]).toEqual([
      'segment0.m4s',
      '../../keys/k1.key?token=abc',
      '../init/720p.mp4?v=2',
    ]);
  });

  test('produces a multivariant playlist that serializes and parses strictly', () => {
    const absolute = absolutizePlaylist(parseMultivariant(multivariantPlaylist), masterUrl);

    expect(parseMultivariant(serializePlaylist(absolute)).variants[0].audio[1].uri).toBe('https://cdn.example.com/vod/shared/audio/de.m3u8?lang=de');
  });

  test('rejects a data: segment URI', () => {
    const playlist = parseMedia(encryptedFmp4Playlist.replace('segment0.m4s', 'data:video/mp4;base64,AAAA'));

    expect(() => absolutizePlaylist(playlist, playlistUrl)).toThrow('unsupported scheme "data:"');
  });
});

describe('resolveUri fast path for plain relative names', () => {
  const segmentName = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,12}$/);
  const queryText = fc.option(fc.stringMatching(/^[A-Za-z0-9._~=&-]{0,12}$/));
  const relative = fc.tuple(fc.array(segmentName, { minLength: 1, maxLength: 4 }), queryText)
    .map(([segments, query]) => `${segments.join('/')}${query === null ? '' : `?${query}`}`);
  const base = fc.tuple(
    fc.constantFrom('http', 'https', 'HTTPS'),
    fc.constantFrom('cdn.example.com', 'user:pw@cdn.example.com', '127.0.0.1:8080', 'CDN.Example.COM:443'),
    fc.array(fc.stringMatching(/^[A-Za-z0-9._%-]{1,8}$/), { maxLength: 3 }),
    fc.constantFrom('index.m3u8', 'master.m3u8?token=a%20b', '', 'x.m3u8#frag'),
  ).map(([scheme, host, folders, file]) => `${scheme}://${host}/${folders.map((f) => `${f}/`).join('')}${file}`);

  test('gives exactly what WHATWG URL resolution gives', () => {
    fc.assert(fc.property(relative, base, (uri, baseUrl) => {
      expect(resolveUri(uri, baseUrl)).toBe(new URL(uri, baseUrl).href);
    }), { numRuns: 500 });
  });
});
