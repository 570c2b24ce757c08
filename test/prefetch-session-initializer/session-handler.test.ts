/**
 * The session function, built as deployed (fetch to MediaTailor), served on loopback as its Function URL and called
 * over HTTP, in front of a loopback fake of MediaTailor's explicit session initialization endpoint.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createSessionHandler } from '../../lambda-src/prefetch-session-initializer/session.lambda';
import { originSecretHeader, sessionInitializerPrefix } from '../../src/prefetch-session-initializer/contract/protocol';
import { FakeEndpoint, FakeResponse, RecordedRequest, startFakeEndpoint } from '../harness/fake-endpoint';
import { LoopbackFunctionUrl, serveFunctionUrl } from '../harness/function-url';

const secret = 'origin-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const configurationName = 'psi-config';
const sessionPath = `/v1/session/94063eadf7d8c56e9e2edd84fdf897826a70d0df/${configurationName}/out/v1/index.m3u8`;
const sessionAnswer = {
  manifestUrl: `/v1/master/94063eadf7d8c56e9e2edd84fdf897826a70d0df/${configurationName}/out/v1/index.m3u8?aws.sessionId=171e4158`,
  trackingUrl: `/v1/tracking/94063eadf7d8c56e9e2edd84fdf897826a70d0df/${configurationName}/171e4158`,
};

let mediaTailor: FakeEndpoint;
let functionUrl: LoopbackFunctionUrl;
let nextAnswer: FakeResponse;
let randomValue = 0.6;

beforeAll(async () => {
  mediaTailor = await startFakeEndpoint(() => nextAnswer);
  functionUrl = await serveFunctionUrl(createSessionHandler({
    config: {
      mediaTailorEndpoint: mediaTailor.url,
      playbackConfigurationName: configurationName,
      groupCount: 5,
      maxBodyBytes: 1024,
      mediaTailorTimeoutMs: 400,
    },
    originSecret: async () => secret,
    random: () => randomValue,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
  }));
});
afterAll(async () => {
  await functionUrl.close();
  await mediaTailor.close();
});
beforeEach(() => {
  mediaTailor.requests.length = 0;
  nextAnswer = { status: 200, headers: { 'cache-control': 'no-cache', 'x-amzn-requestid': 'abc' }, body: sessionAnswer };
  randomValue = 0.6;
});

async function post(body: string | undefined, options: { headers?: Record<string, string>; path?: string; query?: string; method?: string } = {}) {
  const url = `${functionUrl.origin}${sessionInitializerPrefix}${options.path ?? sessionPath}${options.query ? `?${options.query}` : ''}`;
  return fetch(url, {
    method: options.method ?? 'POST',
    headers: { [originSecretHeader]: secret, 'content-type': 'application/json', ...options.headers },
    body,
  });
}

function received(): RecordedRequest {
  expect(mediaTailor.requests).toHaveLength(1);
  return mediaTailor.requests[0];
}

describe('session function', () => {
  test('initializes the session with the drawn stream id added to the body and every other key kept', async () => {
    const body = { adsParams: { device: 'smartphone', subscription: 'tier2' }, reportingMode: 'server', origin_access_token: 'abc123', manifestParams: { t: 'x y' } };
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    const request = received();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(sessionPath);
    expect(request.json).toEqual({ ...body, streamId: '4' }); // 0.6 x 5 groups -> the fourth
    expect(request.body).toBe(JSON.stringify({ ...body, streamId: '4' }));
    expect(request.headers['content-type']).toBe('application/json');
  });

  test('returns MediaTailor\'s status, JSON and cache headers unchanged, with CORS', async () => {
    const response = await post('{}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(sessionAnswer);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('x-amzn-requestid')).toBeNull();
  });

  test('forwards the viewer\'s X-Forwarded-For and User-Agent', async () => {
    await post('{}', { headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.1', 'user-agent': 'ExamplePlayer/1.0' } });
    expect(received().headers['x-forwarded-for']).toBe('203.0.113.7, 198.51.100.1');
    expect(received().headers['user-agent']).toBe('ExamplePlayer/1.0');
  });

  test('forwards the query string unchanged', async () => {
    await post('{}', { query: 'aws.logMode=DEBUG&ads.x=caf%C3%A9&ads.x=2' });
    expect(received().query.toString()).toBe('aws.logMode=DEBUG&ads.x=caf%C3%A9&ads.x=2');
  });

  test('treats an empty body as a session without parameters', async () => {
    const response = await post(undefined);
    expect(response.status).toBe(200);
    expect(received().json).toEqual({ streamId: '4' });
  });

  test('keeps a valid stream id the player sent and replaces an invalid one', async () => {
    await post(JSON.stringify({ streamId: '2' }));
    expect(received().json).toEqual({ streamId: '2' });
    mediaTailor.requests.length = 0;
    randomValue = 0;
    await post(JSON.stringify({ streamId: '9' }));
    expect(received().json).toEqual({ streamId: '1' });
    mediaTailor.requests.length = 0;
    await post(JSON.stringify({ streamId: 2 }));
    expect(received().json).toEqual({ streamId: '1' });
  });

  test.each([[400, 'BadRequest'], [404, 'NotFound'], [500, 'InternalError'], [503, 'Unavailable']])('passes MediaTailor\'s %i through with its body', async (status, message) => {
    nextAnswer = { status, body: { message } };
    const response = await post('{}');
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message });
  });

  test('answers 504 naming MediaTailor when it does not answer in time', async () => {
    nextAnswer = { status: 200, body: sessionAnswer, delayMs: 1500 };
    const response = await post('{}');
    expect(response.status).toBe(504);
    expect(await response.text()).toBe('MediaTailor did not answer within 400 ms\n');
  });

  test('answers 502 naming MediaTailor when it cannot be reached', async () => {
    const closed = await startFakeEndpoint(() => nextAnswer);
    await closed.close();
    const unreachable = await serveFunctionUrl(createSessionHandler({
      config: {
        mediaTailorEndpoint: closed.url, playbackConfigurationName: configurationName, groupCount: 1, maxBodyBytes: 1024, mediaTailorTimeoutMs: 1000,
      },
      originSecret: async () => secret,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    }));
    try {
      const response = await fetch(`${unreachable.origin}${sessionInitializerPrefix}${sessionPath}`, { method: 'POST', headers: { [originSecretHeader]: secret }, body: '{}' });
      expect(response.status).toBe(502);
      expect(await response.text()).toMatch(/^MediaTailor could not be reached: ECONNREFUSED\n$/);
    } finally {
      await unreachable.close();
    }
  });

  describe('refuses', () => {
    afterEach(() => expect(mediaTailor.requests).toHaveLength(0));

    test.each([['invalid JSON', '{"adsParams":', /^body is not valid JSON: /], ['a JSON array', '[1,2]', /^body must be a JSON object of session parameters, got an array\n$/],
      ['JSON null', 'null', /got null\n$/], ['a JSON string', '"x"', /got string\n$/]])('%s with 400 and the reason', async (_case, body, reason) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(reason);
    });

    test('a body over the limit with 413', async () => {
      const response = await post(JSON.stringify({ adsParams: { big: 'x'.repeat(2000) } }));
      expect(response.status).toBe(413);
      expect(await response.text()).toMatch(/^body is 2\d{3} bytes, more than the 1024 accepted\n$/);
    });

    test.each([['a missing', undefined], ['a wrong', 'not-the-secret'], ['a truncated', secret.slice(0, -1)], ['an empty', '']])('%s origin secret with 403', async (_case, presented) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (presented !== undefined) headers[originSecretHeader] = presented;
      const response = await fetch(`${functionUrl.origin}${sessionInitializerPrefix}${sessionPath}`, { method: 'POST', headers, body: '{}' });
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('requests reach this function only through its CloudFront distribution\n');
    });

    test('another playback configuration with 404', async () => {
      const response = await post('{}', { path: '/v1/session/94063eadf7d8c56e9e2edd84fdf897826a70d0df/someone-else/index.m3u8' });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe(`sessions are initialized here for playback configuration '${configurationName}' only, got 'someone-else'\n`);
    });

    test.each(['/v1/master/abc/psi-config/index.m3u8', '/v1/session/abc', '/v1/session/abc/psi-config/../x'])('the path %s with 404', async (path) => {
      const response = await post('{}', { path });
      expect(response.status).toBe(404);
    });

    test.each(['GET', 'PUT', 'DELETE'])('%s with 405 and Allow', async (method) => {
      const response = await post(method === 'GET' ? undefined : '{}', { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    });
  });

  test('answers a CORS preflight', async () => {
    const response = await post(undefined, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(mediaTailor.requests).toHaveLength(0);
  });
});
