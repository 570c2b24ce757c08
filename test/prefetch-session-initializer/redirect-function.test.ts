/**
 * The shipped stream-id redirect CloudFront Function, rendered as the construct deploys it, run by the harness with
 * documented viewer-request events.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { implicitSessionPaths, sessionInitializerPrefix, streamIdQueryKey } from '../../src/prefetch-session-initializer/contract/protocol';
import { renderStreamIdRedirectFunction, streamIdRedirectFunctionFile } from '../../src/prefetch-session-initializer/redirect-function';
import {
  CloudFrontFunction, CloudFrontResponse, isCloudFrontResponse, loadCloudFrontFunction, MAX_FUNCTION_SIZE_BYTES, RequestEventInit,
  viewerRequestEvent,
} from '../harness/cloudfront-function';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-id-redirect-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function loadFor(groupCount: number): CloudFrontFunction {
  const file = path.join(workDir, `redirect-${groupCount}.js`);
  fs.writeFileSync(file, renderStreamIdRedirectFunction(groupCount));
  return loadCloudFrontFunction(file);
}

const hlsPath = '/v1/master/94063eadf7d8c56e9e2edd84fdf897826a70d0df/prefetch/out/v1/index.m3u8';
const dashPath = '/v1/dash/94063eadf7d8c56e9e2edd84fdf897826a70d0df/prefetch/out/v1/index.mpd';

async function redirect(fn: CloudFrontFunction, init: RequestEventInit): Promise<CloudFrontResponse> {
  const result = await fn.run(viewerRequestEvent(init));
  if (!isCloudFrontResponse(result)) throw new Error(`expected a response, got the request for ${result.uri}`);
  return result;
}

function locationOf(response: CloudFrontResponse): string {
  return response.headers!.location.value;
}

describe('stream-id redirect function', () => {
  const four = loadFor(4);

  test('ships within the 10 KB CloudFront Functions limit, rendered for the most groups', () => {
    expect(fs.statSync(streamIdRedirectFunctionFile).size).toBeLessThanOrEqual(MAX_FUNCTION_SIZE_BYTES);
    expect(Buffer.byteLength(renderStreamIdRedirectFunction(25))).toBeLessThanOrEqual(MAX_FUNCTION_SIZE_BYTES);
  });

  test('takes every path and name from the contract', () => {
    const code = renderStreamIdRedirectFunction(3);
    expect(code).toContain(JSON.stringify(sessionInitializerPrefix));
    for (const implicitPath of implicitSessionPaths) expect(code).toContain(JSON.stringify(implicitPath));
    expect(code).toContain('"streamIds":["1","2","3"]');
    expect(fs.readFileSync(streamIdRedirectFunctionFile, 'utf8')).not.toContain(streamIdQueryKey);
  });

  test.each([['HLS', hlsPath], ['DASH', dashPath]])('redirects a %s implicit session to the path without the prefix with a stream id', async (_kind, playbackPath) => {
    const response = await redirect(four, { uri: `${sessionInitializerPrefix}${playbackPath}` });
    expect(response.statusCode).toBe(302);
    expect(locationOf(response)).toMatch(new RegExp(`^${playbackPath.replace(/\./g, '\\.')}\\?aws\\.streamId=[1-4]$`));
    expect(response.headers!['cache-control'].value).toBe('no-store');
    expect(response.headers!['access-control-allow-origin'].value).toBe('*');
  });

  test('answers HEAD like GET', async () => {
    const response = await redirect(four, { method: 'HEAD', uri: `${sessionInitializerPrefix}${hlsPath}` });
    expect(response.statusCode).toBe(302);
    expect(locationOf(response)).toMatch(/\?aws\.streamId=[1-4]$/);
  });

  test('keeps the viewer on its own host and scheme with a relative Location', async () => {
    const response = await redirect(four, {
      uri: `${sessionInitializerPrefix}${hlsPath}`, headers: { host: 'tv.example.com' }, distributionDomainName: 'd111111abcdef8.cloudfront.net',
    });
    expect(locationOf(response).startsWith('/v1/master/')).toBe(true);
  });

  describe('query string', () => {
    const keep = async (querystring: string) => locationOf(await redirect(four, { uri: `${sessionInitializerPrefix}${hlsPath}`, querystring }));

    test('keeps parameters in order and appends the stream id', async () => {
      expect(await keep('ads.device=smartphone&aws.logMode=DEBUG')).toMatch(/\?ads\.device=smartphone&aws\.logMode=DEBUG&aws\.streamId=[1-4]$/);
    });

    test('keeps percent-encoded characters byte for byte', async () => {
      expect(await keep('ads.title=caf%C3%A9%20%26%20bar&manifest.token=a%2Bb%3D%3D')).toMatch(
        /\?ads\.title=caf%C3%A9%20%26%20bar&manifest\.token=a%2Bb%3D%3D&aws\.streamId=[1-4]$/);
    });

    test('keeps every value of a repeated parameter', async () => {
      expect(await keep('ads.tag=a&ads.tag=b&ads.tag=c')).toMatch(/\?ads\.tag=a&ads\.tag=b&ads\.tag=c&aws\.streamId=[1-4]$/);
    });

    test('keeps empty values', async () => {
      expect(await keep('ads.empty=&ads.other=1')).toMatch(/\?ads\.empty=&ads\.other=1&aws\.streamId=[1-4]$/);
    });

    test('keeps a plus sign and a literal equals sign inside a value', async () => {
      expect(await keep('ads.q=a+b&ads.expr=x=y')).toMatch(/\?ads\.q=a\+b&ads\.expr=x=y&aws\.streamId=[1-4]$/);
    });

    test('keeps a valid stream id the player already has, without drawing', async () => {
      for (let run = 0; run < 20; run++) expect(await keep('aws.streamId=3&ads.x=1')).toBe(`${hlsPath}?ads.x=1&aws.streamId=3`);
    });

    test.each([['a stream id outside the groups', 'aws.streamId=9'], ['a non-numeric stream id', 'aws.streamId=abc'],
      ['repeated stream ids', 'aws.streamId=1&aws.streamId=2'], ['an empty stream id', 'aws.streamId=']])('replaces %s with one drawn stream id', async (_case, querystring) => {
      const location = await keep(`${querystring}&ads.x=1`);
      expect(location).toMatch(new RegExp(`^${hlsPath.replace(/\./g, '\\.')}\\?ads\\.x=1&aws\\.streamId=[1-4]$`));
      expect(location.split('aws.streamId=').length).toBe(2);
    });
  });

  describe('leaves other requests to their behavior', () => {
    test.each(['POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'])('%s is passed through untouched', async (method) => {
      const event = viewerRequestEvent({ method, uri: `${sessionInitializerPrefix}${hlsPath}`, querystring: 'a=1' });
      expect(await four.run(event)).toEqual(event.request);
    });

    test.each([
      `${sessionInitializerPrefix}/v1/session/94063eadf7d8c56e9e2edd84fdf897826a70d0df/prefetch/index.m3u8`,
      `${sessionInitializerPrefix}/v1/tracking/94063eadf7d8c56e9e2edd84fdf897826a70d0df/prefetch/abc`,
      `${sessionInitializerPrefix}/v1/masterx/a.m3u8`,
      `${sessionInitializerPrefix}`,
      `${sessionInitializerPrefix}-other${hlsPath}`,
      hlsPath,
      '/tm/abc/segment.ts',
    ])('GET %s is passed through untouched', async (uri) => {
      const event = viewerRequestEvent({ uri, querystring: 'aws.streamId=2' });
      expect(await four.run(event)).toEqual(event.request);
    });
  });

  test('spreads 100,000 sessions uniformly over the groups (chi-square, 5 groups)', () => {
    // the harness builds a fresh context per run (milliseconds each): the 100,000 draws run the same rendered file
    // in one strict-mode context, with the event the harness builds
    const groups = 5;
    const context = vm.createContext({});
    vm.runInContext(`'use strict';${renderStreamIdRedirectFunction(groups)}`, context);
    const handler = vm.runInContext('handler', context) as (event: unknown) => CloudFrontResponse;
    const event = viewerRequestEvent({ uri: `${sessionInitializerPrefix}${dashPath}`, querystring: 'ads.x=1' });
    const counts = new Array<number>(groups).fill(0);
    const sessions = 100_000;
    for (let session = 0; session < sessions; session++) {
      const location = locationOf(handler(JSON.parse(JSON.stringify(event))));
      counts[Number(location.slice(location.lastIndexOf('=') + 1)) - 1]++;
    }
    const expected = sessions / groups;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 4 degrees of freedom: P(chi-square > 18.47) = 0.001, so a uniform draw fails this once in a thousand runs
    expect(chiSquare).toBeLessThan(18.47);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(sessions);
  });

  test('uses only group 1 when there is one group', async () => {
    const one = loadFor(1);
    for (let run = 0; run < 20; run++) expect(locationOf(await redirect(one, { uri: `${sessionInitializerPrefix}${hlsPath}` }))).toBe(`${hlsPath}?aws.streamId=1`);
  });
});
