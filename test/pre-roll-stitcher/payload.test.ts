import { StitchError } from '../../lambda-src/pre-roll-stitcher/errors';
import { AdBreakRequest, decodePayload, PayloadLimits, sortBreaks } from '../../lambda-src/pre-roll-stitcher/payload';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/contract/playback-url';

const limits: PayloadLimits = { maxPayloadLength: 4096, maxBreaks: 16 };
const contentUri = 'https://cdn.example.com/vod/movie/master.m3u8';
const adUri = 'https://ads.example.net/ad/master.m3u8';

/** base64url of arbitrary JSON text, bypassing PlaybackUrl's shape. */
function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The StitchError that decoding `encoded` throws. */
function rejectionOf(encoded: string | undefined, payloadLimits: PayloadLimits = limits): StitchError {
  try {
    decodePayload(encoded, payloadLimits);
  } catch (error) {
    expect(error).toBeInstanceOf(StitchError);
    return error as StitchError;
  }
  throw new Error('decodePayload accepted the payload');
}

function expectBadRequest(encoded: string | undefined, message: string, payloadLimits: PayloadLimits = limits): void {
  const error = rejectionOf(encoded, payloadLimits);
  expect(error.status).toBe(400);
  expect(error.message).toBe(message);
}

describe('decodePayload', () => {
  test('decodes what PlaybackUrl.encodePayload encodes', () => {
    const encoded = PlaybackUrl.encodePayload({ contentUri, breaks: [{ positionMs: 0, adUri }, { positionMs: 30000, adUri: `${adUri}?b=2` }] });

    expect(decodePayload(encoded, limits)).toEqual({
      contentUri,
      breaks: [{ positionMs: 0, adUri }, { positionMs: 30000, adUri: `${adUri}?b=2` }],
    });
  });

  test('accepts standard base64 with + / and = padding, as the seed minted it', () => {
    const uri = 'https://cdn.example.com/vod/movie/master.m3u8?a=1';
    const encoded = Buffer.from(JSON.stringify({ uri, breaks: [] }), 'utf8').toString('base64');
    expect(encoded).toMatch(/\//);
    expect(encoded).toMatch(/=$/);

    expect(decodePayload(encoded, limits)).toEqual({ contentUri: uri, breaks: [] });
  });

  test('accepts standard base64 containing +', () => {
    const uri = 'https://cdn.example.com/v?x=>>>';
    const encoded = Buffer.from(JSON.stringify({ uri, breaks: [] }), 'utf8').toString('base64');
    expect(encoded).toMatch(/\+/);

    expect(decodePayload(encoded, limits).contentUri).toBe('https://cdn.example.com/v?x=%3E%3E%3E');
  });

  test('treats missing breaks as no breaks', () => {
    expect(decodePayload(encodeJson({ uri: contentUri }), limits)).toEqual({ contentUri, breaks: [] });
  });

  test('returns breaks sorted by position with post-rolls (-1) last', () => {
    const encoded = encodeJson({
      uri: contentUri,
      breaks: [{ pos: -1, uri: `${adUri}?post` }, { pos: 60000, uri: `${adUri}?mid` }, { pos: 0, uri: `${adUri}?pre` }],
    });

    expect(decodePayload(encoded, limits).breaks.map((b) => b.adUri)).toEqual([`${adUri}?pre`, `${adUri}?mid`, `${adUri}?post`]);
  });

  test('accepts exactly maxBreaks breaks', () => {
    const breaks = [{ pos: 0, uri: adUri }, { pos: 0, uri: adUri }];

    expect(decodePayload(encodeJson({ uri: contentUri, breaks }), { maxPayloadLength: 4096, maxBreaks: 2 }).breaks).toHaveLength(2);
  });

  test('accepts a payload exactly maxPayloadLength characters long', () => {
    const encoded = encodeJson({ uri: contentUri, breaks: [] });

    expect(decodePayload(encoded, { maxPayloadLength: encoded.length, maxBreaks: 16 }).contentUri).toBe(contentUri);
  });

  test('accepts a plain http content uri', () => {
    expect(decodePayload(encodeJson({ uri: 'http://origin.example.com/m.m3u8' }), limits).contentUri).toBe('http://origin.example.com/m.m3u8');
  });

  describe('rejects with 400', () => {
    test('a missing payload', () => {
      expectBadRequest(undefined, 'missing payload query parameter');
    });

    test('an empty payload', () => {
      expectBadRequest('', 'missing payload query parameter');
    });

    test('a payload longer than the limit, naming its length and the limit', () => {
      expectBadRequest('a'.repeat(17), 'payload is 17 characters, the limit is 16', { maxPayloadLength: 16, maxBreaks: 16 });
    });

    test('a payload with characters outside base64url', () => {
      expectBadRequest('eyJ1cmkiOi$$', 'payload is not base64url');
    });

    test('a payload with padding in the middle', () => {
      expectBadRequest('eyJ1=cmkiOi', 'payload is not base64url');
    });

    test('base64url that is not JSON', () => {
      expectBadRequest(Buffer.from('not json', 'utf8').toString('base64url'), 'payload is not base64url-encoded JSON');
    });

    test('JSON that is an array', () => {
      expectBadRequest(encodeJson([contentUri]), 'payload must be a JSON object with "uri" and "breaks"');
    });

    test('JSON that is null', () => {
      expectBadRequest(encodeJson(null), 'payload must be a JSON object with "uri" and "breaks"');
    });

    test('JSON that is a string', () => {
      expectBadRequest(encodeJson(contentUri), 'payload must be a JSON object with "uri" and "breaks"');
    });

    test('a missing uri', () => {
      expectBadRequest(encodeJson({ breaks: [] }), 'payload "uri" must be a URL string');
    });

    test('an empty uri', () => {
      expectBadRequest(encodeJson({ uri: '' }), 'payload "uri" must be a URL string');
    });

    test('a uri that is not a string', () => {
      expectBadRequest(encodeJson({ uri: 42 }), 'payload "uri" must be a URL string');
    });

    test('a relative uri', () => {
      expectBadRequest(encodeJson({ uri: '/vod/master.m3u8' }), 'payload "uri" is not an absolute URL: /vod/master.m3u8');
    });

    test('a file: uri', () => {
      expectBadRequest(encodeJson({ uri: 'file:///etc/passwd' }), 'payload "uri" must be http(s), got file:');
    });

    test('an ftp: uri', () => {
      expectBadRequest(encodeJson({ uri: 'ftp://cdn.example.com/master.m3u8' }), 'payload "uri" must be http(s), got ftp:');
    });

    test('breaks that are not an array', () => {
      expectBadRequest(encodeJson({ uri: contentUri, breaks: { pos: 0, uri: adUri } }), 'payload "breaks" must be an array');
    });

    test('more breaks than the limit, naming the count and the limit', () => {
      const breaks = [{ pos: 0, uri: adUri }, { pos: 0, uri: adUri }, { pos: 0, uri: adUri }];

      expectBadRequest(encodeJson({ uri: contentUri, breaks }), 'payload has 3 breaks, the limit is 2', { maxPayloadLength: 4096, maxBreaks: 2 });
    });

    test('a break that is not an object', () => {
      expectBadRequest(encodeJson({ uri: contentUri, breaks: [adUri] }), 'payload breaks[0] must be an object with "pos" and "uri"');
    });

    test('a negative position other than -1', () => {
      expectBadRequest(
        encodeJson({ uri: contentUri, breaks: [{ pos: 0, uri: adUri }, { pos: -2, uri: adUri }] }),
        'payload breaks[1].pos must be milliseconds >= 0 or -1 (post-roll), got -2',
      );
    });

    test('a position given as a string', () => {
      expectBadRequest(
        encodeJson({ uri: contentUri, breaks: [{ pos: '0', uri: adUri }] }),
        'payload breaks[0].pos must be milliseconds >= 0 or -1 (post-roll), got "0"',
      );
    });

    test('a missing position', () => {
      expectBadRequest(
        encodeJson({ uri: contentUri, breaks: [{ uri: adUri }] }),
        'payload breaks[0].pos must be milliseconds >= 0 or -1 (post-roll), got undefined',
      );
    });

    test('a break without uri', () => {
      expectBadRequest(
        encodeJson({ uri: contentUri, breaks: [{ pos: 0, uri: adUri }, { pos: 5000 }] }),
        'payload breaks[1].uri must be a URL string',
      );
    });

    test('a break with a non-http uri', () => {
      expectBadRequest(
        encodeJson({ uri: contentUri, breaks: [{ pos: 0, uri: 'file:///etc/passwd' }] }),
        'payload breaks[0].uri must be http(s), got file:',
      );
    });
  });
});

describe('sortBreaks', () => {
  const at = (positionMs: number, name: string): AdBreakRequest => ({ positionMs, adUri: `https://ads.example.net/${name}.m3u8` });
  const names = (breaks: AdBreakRequest[]) => breaks.map((b) => b.adUri.replace(/^.*\/|\.m3u8$/g, ''));

  test('orders breaks by ascending position', () => {
    expect(names(sortBreaks([at(90000, 'c'), at(0, 'a'), at(30000, 'b')]))).toEqual(['a', 'b', 'c']);
  });

  test('puts post-rolls (-1) after every other position', () => {
    expect(names(sortBreaks([at(-1, 'post'), at(1e9, 'late'), at(0, 'pre')]))).toEqual(['pre', 'late', 'post']);
  });

  test('keeps the payload order of breaks at the same position', () => {
    expect(names(sortBreaks([at(5000, 'x'), at(0, 'a1'), at(5000, 'y'), at(0, 'a2'), at(5000, 'z')]))).toEqual(['a1', 'a2', 'x', 'y', 'z']);
  });

  test('keeps the payload order of several post-rolls', () => {
    expect(names(sortBreaks([at(-1, 'p1'), at(0, 'pre'), at(-1, 'p2')]))).toEqual(['pre', 'p1', 'p2']);
  });

  test('does not modify its input', () => {
    const input = [at(5000, 'b'), at(0, 'a')];

    sortBreaks(input);

    expect(names(input)).toEqual(['b', 'a']);
  });
});
