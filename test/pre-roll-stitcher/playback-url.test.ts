import { createHmac } from 'crypto';
import { PlaybackUrl, StitchPayload } from '../../src/pre-roll-stitcher/contract/playback-url';

const secret = 'test-signing-secret';
const payload: StitchPayload = {
  contentUri: 'https://cdn.example.com/vod/movie/master.m3u8',
  breaks: [{ positionMs: 0, adUri: 'https://ads.example.net/ad/master.m3u8' }],
};

/** HMAC-SHA256 of `text`, base64url, computed here independently of PlaybackUrl. */
function hmac(text: string, key: string): string {
  return createHmac('sha256', key).update(Buffer.from(text, 'utf8')).digest('base64')
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('PlaybackUrl.encodePayload', () => {
  test('is base64url of the wire JSON { uri, breaks: [{ pos, uri }] }', () => {
    const encoded = PlaybackUrl.encodePayload(payload);

    expect(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))).toEqual({
      uri: 'https://cdn.example.com/vod/movie/master.m3u8',
      breaks: [{ pos: 0, uri: 'https://ads.example.net/ad/master.m3u8' }],
    });
  });

  test('uses only URL-safe characters and no padding', () => {
    const encoded = PlaybackUrl.encodePayload({ contentUri: 'https://cdn.example.com/v?x=>>>&y=???', breaks: [] });

    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('PlaybackUrl.sign', () => {
  const encoded = PlaybackUrl.encodePayload(payload);

  test('mints <baseUrl>/master.m3u8?payload=...&sig=...', () => {
    expect(PlaybackUrl.sign({ baseUrl: 'https://d.example.net', payload, signingSecret: secret }))
      .toBe(`https://d.example.net/master.m3u8?payload=${encoded}&sig=${hmac(encoded, secret)}`);
  });

  test('mints the same URL when baseUrl ends with a slash', () => {
    expect(PlaybackUrl.sign({ baseUrl: 'https://d.example.net/', payload, signingSecret: secret }))
      .toBe(PlaybackUrl.sign({ baseUrl: 'https://d.example.net', payload, signingSecret: secret }));
  });

  test('keeps a path prefix of baseUrl (a stitcher mounted under /stitch)', () => {
    expect(PlaybackUrl.sign({ baseUrl: 'https://d.example.net/stitch', payload, signingSecret: secret }))
      .toBe(`https://d.example.net/stitch/master.m3u8?payload=${encoded}&sig=${hmac(encoded, secret)}`);
    expect(PlaybackUrl.sign({ baseUrl: 'https://d.example.net/stitch/', payload }))
      .toBe(`https://d.example.net/stitch/master.m3u8?payload=${encoded}`);
  });

  test('puts the encoded payload in the payload query parameter unchanged', () => {
    const url = new URL(PlaybackUrl.sign({ baseUrl: 'https://d.example.net', payload, signingSecret: secret }));

    expect(url.searchParams.get('payload')).toBe(encoded);
  });

  test('leaves the signature out when no secret is given', () => {
    const url = PlaybackUrl.sign({ baseUrl: 'https://d.example.net', payload });

    expect(url).toBe(`https://d.example.net/master.m3u8?payload=${encoded}`);
    expect(new URL(url).searchParams.has('sig')).toBe(false);
  });

  test('signs with an empty secret when one is given', () => {
    const url = new URL(PlaybackUrl.sign({ baseUrl: 'https://d.example.net', payload, signingSecret: '' }));

    expect(url.searchParams.get('sig')).toBe(hmac(encoded, ''));
  });
});

describe('PlaybackUrl.signatureOf', () => {
  test('is the base64url HMAC-SHA256 of the exact payload string', () => {
    const encoded = PlaybackUrl.encodePayload(payload);

    expect(PlaybackUrl.signatureOf(encoded, secret)).toBe(hmac(encoded, secret));
  });

  test('signs the string as given, including standard base64 characters', () => {
    expect(PlaybackUrl.signatureOf('eyJ1cmkiOi+/==', secret)).toBe(hmac('eyJ1cmkiOi+/==', secret));
  });

  test('is 43 URL-safe characters', () => {
    expect(PlaybackUrl.signatureOf('payload', secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('depends on the secret', () => {
    expect(PlaybackUrl.signatureOf('payload', secret)).not.toBe(PlaybackUrl.signatureOf('payload', `${secret}x`));
  });
});

describe('PlaybackUrl.isValidSignature', () => {
  const encoded = PlaybackUrl.encodePayload(payload);
  const signature = hmac(encoded, secret);

  test('accepts the signature of the payload under the secret', () => {
    expect(PlaybackUrl.isValidSignature(encoded, signature, secret)).toBe(true);
  });

  test('rejects a tampered payload', () => {
    const tampered = PlaybackUrl.encodePayload({ ...payload, contentUri: 'https://evil.example.org/master.m3u8' });

    expect(PlaybackUrl.isValidSignature(tampered, signature, secret)).toBe(false);
  });

  test('rejects a payload with one character changed', () => {
    const tampered = `${encoded.slice(0, -1)}${encoded.endsWith('A') ? 'B' : 'A'}`;

    expect(PlaybackUrl.isValidSignature(tampered, signature, secret)).toBe(false);
  });

  test('rejects a signature made with another secret', () => {
    expect(PlaybackUrl.isValidSignature(encoded, hmac(encoded, 'another-secret'), secret)).toBe(false);
  });

  test('rejects a truncated signature without throwing', () => {
    expect(PlaybackUrl.isValidSignature(encoded, signature.slice(0, -1), secret)).toBe(false);
  });

  test('rejects a longer signature without throwing', () => {
    expect(PlaybackUrl.isValidSignature(encoded, `${signature}=`, secret)).toBe(false);
  });

  test('rejects an empty signature', () => {
    expect(PlaybackUrl.isValidSignature(encoded, '', secret)).toBe(false);
  });

  test('rejects a standard base64 rendering of the right signature', () => {
    const standard = createHmac('sha256', secret).update(encoded, 'utf8').digest('base64');

    expect(PlaybackUrl.isValidSignature(encoded, standard, secret)).toBe(false);
  });

  test('rejects a signature with multi-byte characters of the same character length', () => {
    expect(PlaybackUrl.isValidSignature(encoded, 'é'.repeat(signature.length), secret)).toBe(false);
  });
});
