import { StitchError } from '../../lambda-src/pre-roll-stitcher/errors';
import { assertAllowedUpstream, OriginPolicy, parseAllowedOrigins } from '../../lambda-src/pre-roll-stitcher/origin-allowlist';

function policy(origins: string, allowHttp = false): OriginPolicy {
  return { allowedOrigins: parseAllowedOrigins(origins), allowHttp };
}

function isAllowed(url: string, originPolicy: OriginPolicy): boolean {
  try {
    assertAllowedUpstream(new URL(url), originPolicy);
    return true;
  } catch (error) {
    if (error instanceof StitchError && error.status === 403) return false;
    throw error;
  }
}

/** The StitchError refusing `url`. */
function refusalOf(url: string, originPolicy: OriginPolicy): StitchError {
  try {
    assertAllowedUpstream(new URL(url), originPolicy);
  } catch (error) {
    expect(error).toBeInstanceOf(StitchError);
    return error as StitchError;
  }
  throw new Error(`${url} was allowed`);
}

describe('parseAllowedOrigins', () => {
  test('splits on commas, trims and lowercases entries', () => {
    expect(parseAllowedOrigins(' CDN.Example.com , *.Ads.Example.NET,origin.example.com:8443')).toEqual([
      'cdn.example.com', '*.ads.example.net', 'origin.example.com:8443',
    ]);
  });

  test('drops empty entries', () => {
    expect(parseAllowedOrigins(',cdn.example.com,, ,')).toEqual(['cdn.example.com']);
  });

  test('reads an unset or empty value as an empty list', () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins('')).toEqual([]);
  });
});

describe('assertAllowedUpstream', () => {
  describe('exact host entries', () => {
    const exact = policy('cdn.example.com');

    test('allow the host on the default https port', () => {
      expect(isAllowed('https://cdn.example.com/vod/master.m3u8', exact)).toBe(true);
    });

    test('allow the host with an explicit default port', () => {
      expect(isAllowed('https://cdn.example.com:443/vod/master.m3u8', exact)).toBe(true);
    });

    test('do not allow the host on another port', () => {
      expect(isAllowed('https://cdn.example.com:8443/vod/master.m3u8', exact)).toBe(false);
    });

    test('do not allow a subdomain of the host', () => {
      expect(isAllowed('https://a.cdn.example.com/vod/master.m3u8', exact)).toBe(false);
    });

    test('do not allow a host that merely ends with the entry', () => {
      expect(isAllowed('https://evilcdn.example.com/vod/master.m3u8', exact)).toBe(false);
    });

    test('do not allow a host that merely starts with the entry', () => {
      expect(isAllowed('https://cdn.example.com.evil.net/vod/master.m3u8', exact)).toBe(false);
    });
  });

  describe('host:port entries', () => {
    const withPort = policy('origin.example.com:8443');

    test('allow the host on that port', () => {
      expect(isAllowed('https://origin.example.com:8443/master.m3u8', withPort)).toBe(true);
    });

    test('do not allow the host on the default port', () => {
      expect(isAllowed('https://origin.example.com/master.m3u8', withPort)).toBe(false);
    });

    test('do not allow the host on another port', () => {
      expect(isAllowed('https://origin.example.com:9443/master.m3u8', withPort)).toBe(false);
    });
  });

  describe('*.example.com entries', () => {
    const wildcard = policy('*.example.com');

    test('allow a direct subdomain', () => {
      expect(isAllowed('https://a.example.com/master.m3u8', wildcard)).toBe(true);
    });

    test('allow a deeper subdomain', () => {
      expect(isAllowed('https://a.b.example.com/master.m3u8', wildcard)).toBe(true);
    });

    test('do not allow the bare domain', () => {
      expect(isAllowed('https://example.com/master.m3u8', wildcard)).toBe(false);
    });

    test('do not allow a domain that merely ends with the same letters', () => {
      expect(isAllowed('https://evilexample.com/master.m3u8', wildcard)).toBe(false);
    });

    test('do not allow a subdomain embedded in another domain', () => {
      expect(isAllowed('https://a.example.com.evil.net/master.m3u8', wildcard)).toBe(false);
    });

    test('do not allow a subdomain on a non-default port', () => {
      expect(isAllowed('https://a.example.com:8443/master.m3u8', wildcard)).toBe(false);
    });
  });

  describe('schemes', () => {
    test('refuse http unless allowHttp, naming the host', () => {
      const error = refusalOf('http://cdn.example.com/master.m3u8', policy('cdn.example.com'));

      expect(error.status).toBe(403);
      expect(error.message).toBe('scheme http: is not allowed for cdn.example.com: only https may be fetched');
    });

    test('allow http when allowHttp is set', () => {
      expect(isAllowed('http://cdn.example.com/master.m3u8', policy('cdn.example.com', true))).toBe(true);
    });

    test('still allow https when allowHttp is set', () => {
      expect(isAllowed('https://cdn.example.com/master.m3u8', policy('cdn.example.com', true))).toBe(true);
    });

    test('refuse other schemes even when allowHttp is set', () => {
      const error = refusalOf('ftp://cdn.example.com/master.m3u8', policy('cdn.example.com', true));

      expect(error.status).toBe(403);
      expect(error.message).toBe('scheme ftp: is not allowed for cdn.example.com: http and https may be fetched');
    });

    test('refuse http on an allowed host:port, naming host and port', () => {
      expect(refusalOf('http://127.0.0.1:8080/master.m3u8', policy('127.0.0.1:8080')).message).toContain('127.0.0.1:8080');
    });
  });

  describe('credentials', () => {
    test('refuse a URL with user and password, naming the host', () => {
      const error = refusalOf('https://user:secret@cdn.example.com/master.m3u8', policy('cdn.example.com'));

      expect(error.status).toBe(403);
      expect(error.message).toBe('credentials in upstream URLs are not allowed (host cdn.example.com)');
    });

    test('refuse a URL with a user name only', () => {
      expect(refusalOf('https://user@cdn.example.com/master.m3u8', policy('cdn.example.com')).status).toBe(403);
    });

    test('do not echo the credentials in the message', () => {
      expect(refusalOf('https://user:secret@cdn.example.com/master.m3u8', policy('cdn.example.com')).message).not.toContain('secret');
    });
  });

  describe('host names', () => {
    test('match case-insensitively against entries written in upper case', () => {
      expect(isAllowed('https://CDN.EXAMPLE.COM/master.m3u8', policy('Cdn.Example.Com'))).toBe(true);
    });

    test('match wildcard entries case-insensitively', () => {
      expect(isAllowed('https://A.Example.COM/master.m3u8', policy('*.EXAMPLE.com'))).toBe(true);
    });

    test('allow an IPv4 literal listed as such', () => {
      expect(isAllowed('https://192.0.2.10/master.m3u8', policy('192.0.2.10'))).toBe(true);
    });

    test('allow an IPv4 literal with port when allowHttp is set', () => {
      expect(isAllowed('http://127.0.0.1:8080/master.m3u8', policy('127.0.0.1:8080', true))).toBe(true);
    });

    test('do not allow an unlisted IPv4 literal', () => {
      expect(isAllowed('https://192.0.2.11/master.m3u8', policy('192.0.2.10'))).toBe(false);
    });

    test('allow an IPv6 literal listed in brackets', () => {
      expect(isAllowed('https://[2001:db8::1]/master.m3u8', policy('[2001:db8::1]'))).toBe(true);
    });

    test('refuse every host when the list is empty', () => {
      expect(isAllowed('https://cdn.example.com/master.m3u8', policy(''))).toBe(false);
    });

    test('allow a host matched by any entry of the list', () => {
      expect(isAllowed('https://ads.example.net/ad.m3u8', policy('cdn.example.com,ads.example.net'))).toBe(true);
    });
  });

  describe('refusals', () => {
    test.each([
      ['https://evil.example.org/master.m3u8', 'evil.example.org'],
      ['https://example.com/master.m3u8', 'example.com'],
      ['https://a.example.com:8443/master.m3u8', 'a.example.com:8443'],
      ['http://a.example.com/master.m3u8', 'a.example.com'],
      ['https://u:p@a.example.com/master.m3u8', 'a.example.com'],
    ])('refuse %s with a 403 StitchError naming %s', (url, host) => {
      const error = refusalOf(url, policy('*.example.com'));

      expect(error.status).toBe(403);
      expect(error.message).toContain(host);
    });

    test('name the host in the message for a host outside the list', () => {
      expect(refusalOf('https://evil.example.org/master.m3u8', policy('cdn.example.com')).message)
        .toBe('host evil.example.org is not in the stitcher\'s allowed origins');
    });
  });
});
