import * as crypto from 'crypto';
import * as path from 'path';
import {
  CloudFrontFunctionResult,
  CloudFrontRequest,
  CloudFrontResponse,
  isCloudFrontResponse,
  loadCloudFrontFunction,
  LoadOptions,
  MAX_FUNCTION_SIZE_BYTES,
  viewerRequestEvent,
  viewerResponseEvent,
} from './cloudfront-function';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cloudfront-functions');
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const DAY_MS = 24 * 60 * 60 * 1000;

function load(name: string, options: LoadOptions = {}) {
  return loadCloudFrontFunction(path.join(FIXTURES, name), { now: NOW, ...options });
}

function asRequest(result: CloudFrontFunctionResult): CloudFrontRequest {
  if (isCloudFrontResponse(result)) {
    throw new Error(`expected a request, got status ${result.statusCode}`);
  }
  return result;
}

function asResponse(result: CloudFrontFunctionResult): CloudFrontResponse {
  if (!isCloudFrontResponse(result)) {
    throw new Error(`expected a response, got a request for ${result.uri}`);
  }
  return result;
}

function headerValue(response: CloudFrontResponse, name: string): string | undefined {
  return response.headers?.[name]?.value;
}

describe('running CloudFront Functions', () => {
  test('rewrites a directory uri to its index.html', async () => {
    const rewrite = load('rewrite-uri.js');

    const request = asRequest(await rewrite.run(viewerRequestEvent({ uri: '/vod/show/' })));

    expect(request.uri).toBe('/vod/show/index.html');
    expect(request.headers['x-original-uri']).toEqual({ value: '/vod/show/' });
  });

  test('generates a 302 whose stream id is the sha1 of the request id', async () => {
    const redirect = load('redirect-with-stream-id.js');
    const requestId = 'EXAMPLEntjQpEXAMPLE_SG5Z-EXAMPLEPmPfEXAMPLEu3EqEXAMPLE==';
    const expectedStreamId = crypto.createHash('sha1').update(requestId).digest('hex').slice(0, 16);

    const response = asResponse(await redirect.run(viewerRequestEvent({
      uri: '/live',
      requestId,
      headers: { Host: 'video.example.com' },
    })));

    expect(response.statusCode).toBe(302);
    expect(headerValue(response, 'location')).toBe(`https://video.example.com/live/index.m3u8?streamId=${expectedStreamId}`);
  });

  test('gives the same stream id for the same request id on every run', async () => {
    const redirect = load('redirect-with-stream-id.js');
    const event = viewerRequestEvent({ uri: '/live', requestId: 'req-1', distributionDomainName: 'd111111abcdef8.cloudfront.net' });

    const first = asResponse(await redirect.run(event));
    const second = asResponse(await redirect.run(event));

    expect(headerValue(first, 'location')).toBe(headerValue(second, 'location'));
    expect(headerValue(first, 'location')).toMatch(/^https:\/\/d111111abcdef8\.cloudfront\.net\/live\/index\.m3u8\?streamId=[0-9a-f]{16}$/);
  });

  test('changes a viewer response to 404 when last-modified is older than a day before now', async () => {
    const expire = load('expire-stale-response.js');
    const event = viewerResponseEvent({
      uri: '/archive/old.ts',
      statusCode: 200,
      statusDescription: 'OK',
      responseHeaders: { 'Last-Modified': new Date(NOW - 2 * DAY_MS).toUTCString() },
    });

    const response = asResponse(await expire.run(event));

    expect(response.statusCode).toBe(404);
    expect(response.statusDescription).toBe('Not Found');
  });

  test('keeps a viewer response at 200 when last-modified is within a day of now', async () => {
    const expire = load('expire-stale-response.js');
    const event = viewerResponseEvent({
      uri: '/archive/new.ts',
      statusCode: 200,
      responseHeaders: { 'last-modified': new Date(NOW - DAY_MS / 2).toUTCString() },
    });

    const response = asResponse(await expire.run(event));

    expect(response.statusCode).toBe(200);
  });

  test('takes the invocation time from a now function on each run', async () => {
    let clock = NOW;
    const expire = load('expire-stale-response.js', { now: () => clock });
    const event = viewerResponseEvent({
      uri: '/a.ts',
      statusCode: 200,
      responseHeaders: { 'last-modified': new Date(NOW).toUTCString() },
    });

    const fresh = asResponse(await expire.run(event));
    clock = NOW + 2 * DAY_MS;
    const stale = asResponse(await expire.run(event));

    expect(fresh.statusCode).toBe(200);
    expect(stale.statusCode).toBe(404);
  });

  test('freezes Date at the invocation start time for the whole run', async () => {
    const probe = load('date-probe.js');

    const response = asResponse(await probe.run(viewerRequestEvent({ uri: '/' })));

    expect(headerValue(response, 'x-before')).toBe(String(NOW));
    expect(headerValue(response, 'x-after')).toBe(String(NOW));
    expect(headerValue(response, 'x-new-date')).toBe(String(NOW));
    expect(headerValue(response, 'x-date-call')).toContain('2024');
    expect(headerValue(response, 'x-is-date')).toBe('true');
  });

  test('keeps Date constructors with arguments, Date.parse and Date.UTC working', async () => {
    const probe = load('date-probe.js');

    const response = asResponse(await probe.run(viewerRequestEvent({ uri: '/' })));

    expect(headerValue(response, 'x-epoch')).toBe('0');
    expect(headerValue(response, 'x-parse')).toBe(String(Date.UTC(2024, 0, 1)));
    expect(headerValue(response, 'x-utc')).toBe(String(Date.UTC(2024, 0, 1)));
  });

  test('loads the cloudfront module with the documented default import and reads the key value store', async () => {
    const lookup = load('kvs-lookup.js', {
      keyValueStore: { channel: JSON.stringify({ origin: '/origin-a' }), label: 'primary' },
    });

    const request = asRequest(await lookup.run(viewerRequestEvent({ uri: '/channel/index.m3u8' })));

    expect(request.uri).toBe('/origin-a/channel/index.m3u8');
    expect(request.headers['x-label']).toEqual({ value: 'primary' });
    expect(request.headers['x-missing']?.value).toContain('no-such-key');
  });

  test('reports a missing key value store key through exists', async () => {
    const lookup = load('kvs-lookup.js', { keyValueStore: { label: 'primary' } });

    const response = asResponse(await lookup.run(viewerRequestEvent({ uri: '/unknown/index.m3u8' })));

    expect(response.statusCode).toBe(404);
  });

  test('offers crypto, querystring, buffer, cloudfront, atob and btoa as documented', async () => {
    const modules = load('builtin-modules.js', { keyValueStore: { label: 'primary' } });

    const response = asResponse(await modules.run(viewerRequestEvent({ uri: '/' })));

    expect(headerValue(response, 'x-query')).toBe('a=1&a=2&b=x%20y');
    expect(headerValue(response, 'x-base64')).toBe(Buffer.from('edge').toString('base64'));
    expect(headerValue(response, 'x-atob')).toBe('edge');
    expect(headerValue(response, 'x-hmac')).toBe(crypto.createHmac('sha256', 'secret').update('edge').digest('base64url'));
    expect(headerValue(response, 'x-raw-digest-length')).toBe('16');
    expect(headerValue(response, 'x-kvs-label')).toBe('true');
  });

  test('does not mutate the event passed to run', async () => {
    const rewrite = load('rewrite-uri.js');
    const event = viewerRequestEvent({ uri: '/vod/show', headers: { accept: '*/*' } });
    const snapshot = JSON.parse(JSON.stringify(event));

    await rewrite.run(event);

    expect(event).toEqual(snapshot);
  });

  test('captures console.log lines of the last run', async () => {
    const rewrite = load('rewrite-uri.js');

    await rewrite.run(viewerRequestEvent({ uri: '/a/' }));
    await rewrite.run(viewerRequestEvent({ uri: '/b/' }));

    expect(rewrite.logs).toEqual(['rewrite /b/ -> /b/index.html']);
  });

  test('records only the first console.log argument, as comma syntax is unsupported', async () => {
    const probe = load('globals-probe.js');

    await probe.run(viewerRequestEvent({ uri: '/' }));

    expect(probe.logs).toEqual(['first']);
  });

  test('keeps no top-level state between runs', async () => {
    const counter = load('request-counter.js');

    const first = asRequest(await counter.run(viewerRequestEvent({ uri: '/' })));
    const second = asRequest(await counter.run(viewerRequestEvent({ uri: '/' })));

    expect([first.headers['x-count'], second.headers['x-count']]).toEqual([{ value: '1' }, { value: '1' }]);
  });

  test('reports the file path and size of a loaded function', () => {
    const rewrite = load('rewrite-uri.js');

    expect(rewrite.path).toBe(path.join(FIXTURES, 'rewrite-uri.js'));
    expect(rewrite.sizeBytes).toBeGreaterThan(0);
    expect(rewrite.sizeBytes).toBeLessThanOrEqual(MAX_FUNCTION_SIZE_BYTES);
  });
});

describe('restricted runtime features', () => {
  test('rejects eval', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/eval' }))).rejects.toThrow(/^cloudfront function threw: EvalError/);
  });

  test('rejects the Function constructor', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/function' }))).rejects.toThrow(/^cloudfront function threw: EvalError/);
  });

  test('has no setTimeout', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/timer' }))).rejects.toThrow('cloudfront function threw: ReferenceError: setTimeout is not defined');
  });

  test('rejects require of fs with the module name', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/fs' }))).rejects.toThrow('module not available in cloudfront-js-2.0: fs');
  });

  test('has no fetch', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/fetch' }))).rejects.toThrow('ReferenceError: fetch is not defined');
  });

  test('rejects hash algorithms other than md5, sha1 and sha256', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/sha512' }))).rejects.toThrow('crypto algorithm not available in cloudfront-js-2.0: sha512');
  });

  test('runs the function in strict mode', async () => {
    const restricted = load('restricted.js');

    await expect(restricted.run(viewerRequestEvent({ uri: '/sloppy' }))).rejects.toThrow('ReferenceError: undeclaredVariable is not defined');
  });

  test('exposes no timers, fetch, process or global inside the function', async () => {
    const probe = load('globals-probe.js');

    const response = asResponse(await probe.run(viewerRequestEvent({ uri: '/' })));

    for (const name of ['settimeout', 'setinterval', 'setimmediate', 'cleartimeout', 'queuemicrotask', 'fetch', 'process', 'global']) {
      expect({ name, type: headerValue(response, `x-typeof-${name}`) }).toEqual({ name, type: 'undefined' });
    }
  });

  test('exposes require, Buffer, console, atob, btoa and TextEncoder inside the function', async () => {
    const probe = load('globals-probe.js');

    const response = asResponse(await probe.run(viewerRequestEvent({ uri: '/' })));

    for (const name of ['require', 'buffer', 'console', 'atob', 'btoa', 'textencoder']) {
      expect({ name, type: headerValue(response, `x-typeof-${name}`) }).not.toEqual({ name, type: 'undefined' });
    }
  });
});

describe('loading CloudFront Functions', () => {
  test('rejects a function over 10 KB, naming its size', () => {
    expect(() => load('oversized.js')).toThrow(/is 10560 bytes; cloudfront-js-2\.0 functions are limited to 10240 bytes/);
  });

  test('rejects a function without a handler', () => {
    expect(() => load('no-handler.js')).toThrow(/defines no handler function/);
  });

  test('rejects module.exports', () => {
    expect(() => load('exports-handler.js')).toThrow(/uses export or module\.exports/);
  });

  test('rejects import forms other than the documented default import', () => {
    expect(() => load('named-import.js')).toThrow(/uses an import form other than/);
  });

  test('rejects the cloudfront module when no key value store is given', () => {
    expect(() => load('kvs-lookup.js')).toThrow(/threw while loading: Error: no key value store is associated/);
  });
});

describe('result validation', () => {
  const invalidResults: Array<[string, RegExp]> = [
    ['/upper-case-header', /header name "X-Stream-Id" must be lower-case/],
    ['/string-header', /headers "x-stream-id" must be an object with a string value/],
    ['/numeric-header', /headers "x-count" must be an object with a string value/],
    ['/relative-uri', /request uri must be a string starting with "\/"/],
    ['/method', /request method is read-only/],
    ['/string-status', /statusCode must be an integer/],
    ['/host', /header "host" is read-only/],
    ['/disallowed', /header "x-real-ip" is disallowed/],
    ['/body-encoding', /body encoding must be text or base64/],
    ['/nothing', /handler returned undefined/],
  ];

  test.each(invalidResults)('rejects the result returned for %s', async (uri, message) => {
    const invalid = load('invalid-results.js');

    await expect(invalid.run(viewerRequestEvent({ uri, headers: { host: 'video.example.com' } }))).rejects.toThrow(message);
  });

  test('rejects a request returned from a viewer-response function', async () => {
    const rewrite = load('rewrite-uri.js');

    await expect(rewrite.run(viewerResponseEvent({ uri: '/a/', statusCode: 200 }))).rejects.toThrow(
      /invalid viewer-response result from rewrite-uri\.js: a viewer-response function must return a response object/,
    );
  });

  test('returns a plain object that is not tied to the function context', async () => {
    const rewrite = load('rewrite-uri.js');

    const request = asRequest(await rewrite.run(viewerRequestEvent({ uri: '/a/' })));

    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
  });
});

describe('event builders', () => {
  test('parses a query string with a repeated name into value and multiValue', () => {
    const event = viewerRequestEvent({ uri: '/', querystring: '?id=1&lang=en&id=2&flag' });

    expect(event.request.querystring).toEqual({
      id: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] },
      lang: { value: 'en' },
      flag: { value: '' },
    });
  });

  test('passes query string values through without decoding them', () => {
    const event = viewerRequestEvent({ uri: '/', querystring: 'q=a%20b' });

    expect(event.request.querystring.q).toEqual({ value: 'a%20b' });
  });

  test('builds a query string from a record with array values', () => {
    const event = viewerRequestEvent({ uri: '/', querystring: { id: ['1', '2'], lang: 'en', single: ['x'] } });

    expect(event.request.querystring).toEqual({
      id: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] },
      lang: { value: 'en' },
      single: { value: 'x' },
    });
  });

  test('lower-cases header names and merges repeated headers into multiValue', () => {
    const event = viewerRequestEvent({ uri: '/', headers: { 'Accept': 'application/json', 'accept': 'text/html', 'User-Agent': 'test' } });

    expect(event.request.headers).toEqual({
      'accept': { value: 'application/json', multiValue: [{ value: 'application/json' }, { value: 'text/html' }] },
      'user-agent': { value: 'test' },
    });
  });

  test('moves the cookie header into cookies and drops headers CloudFront never exposes', () => {
    const event = viewerRequestEvent({
      uri: '/',
      headers: { 'Cookie': 'session=abc; theme=dark', 'Connection': 'keep-alive', 'X-Amz-Cf-Id': 'id', 'host': 'video.example.com' },
      cookies: { extra: '1' },
    });

    expect(event.request.headers).toEqual({ host: { value: 'video.example.com' } });
    expect(event.request.cookies).toEqual({ session: { value: 'abc' }, theme: { value: 'dark' }, extra: { value: '1' } });
  });

  test('fills the documented viewer-request event shape', () => {
    const event = viewerRequestEvent({ uri: '/index.html', requestId: 'req-1', distributionDomainName: 'd111111abcdef8.cloudfront.net', ip: '203.0.113.7' });

    expect(event).toEqual({
      version: '1.0',
      context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'viewer-request', requestId: 'req-1' },
      viewer: { ip: '203.0.113.7' },
      request: { method: 'GET', uri: '/index.html', querystring: {}, headers: {}, cookies: {} },
    });
  });

  test('fills the documented viewer-response event shape with set-cookie moved into cookies', () => {
    const event = viewerResponseEvent({
      uri: '/index.html',
      statusCode: 200,
      statusDescription: 'OK',
      responseHeaders: { 'Content-Type': 'text/html', 'Set-Cookie': ['a=1; Secure; Path=/', 'b=2'] },
    });

    expect(event.context.eventType).toBe('viewer-response');
    expect(event.response).toEqual({
      statusCode: 200,
      statusDescription: 'OK',
      headers: { 'content-type': { value: 'text/html' } },
      cookies: { a: { value: '1', attributes: 'Secure; Path=/' }, b: { value: '2' } },
    });
  });
});
