import * as fs from 'fs';
import * as path from 'path';
import { countVideoFrames, decodeVideoFrames } from './ffmpeg-client';
import { HlsFixtures, hlsFixtureFormat, hlsFixtures } from './hls-fixtures';
import { HlsPlayer, noRetryHlsConfig } from './hls-player';
import { LoopbackServer, startStaticServer } from './static-server';
import { describeWithTools } from './tools';

/** A media playlist that plays the ad's 360p rendition, then the content's (a pre-roll by hand). */
function handStitchedPreRoll(fixtures: HlsFixtures, container: 'ts' | 'fmp4'): string {
  const part = (set: string) => {
    const dir = path.join(fixtures.root, set, '360p');
    const lines = fs.readFileSync(path.join(dir, 'index.m3u8'), 'utf8').split('\n');
    return lines
      .filter((line) => line.startsWith('#EXTINF') || (line !== '' && !line.startsWith('#')) || line.startsWith('#EXT-X-MAP'))
      .map((line) => line.startsWith('#EXT-X-MAP')
        ? line.replace(/URI="([^"]+)"/, `URI="/media/${set}/360p/$1"`)
        : line.startsWith('#') ? line : `/media/${set}/360p/${line}`);
  };
  return [
    '#EXTM3U', `#EXT-X-VERSION:${container === 'fmp4' ? 7 : 3}`, '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD',
    ...part(`ad-${container}`), '#EXT-X-DISCONTINUITY', ...part(`content-${container}`), '#EXT-X-ENDLIST', '',
  ].join('\n');
}

describeWithTools(['ffmpeg', 'ffprobe', 'chromium'], 'real-client harness on raw fixtures', () => {
  let fixtures: HlsFixtures;
  let server: LoopbackServer;
  let player: HlsPlayer;

  beforeAll(async () => {
    fixtures = hlsFixtures();
    server = await startStaticServer({
      mounts: { '/media/': fixtures.root },
      routes: [(request, response) => {
        if (request.url === '/stitched/missing-segment.m3u8') {
          response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end([
            '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD',
            '#EXTINF:2.0,', '/media/content-ts/360p/seg_000.ts', '#EXTINF:2.0,', '/media/content-ts/360p/seg_999.ts',
            '#EXTINF:2.0,', '/media/content-ts/360p/seg_002.ts', '#EXT-X-ENDLIST', '',
          ].join('\n'));
          return true;
        }
        const match = /^\/stitched\/pre-roll-(ts|fmp4)\.m3u8$/.exec(request.url ?? '');
        if (!match) return false;
        response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' })
          .end(handStitchedPreRoll(fixtures, match[1] as 'ts' | 'fmp4'));
        return true;
      }],
    });
    player = await HlsPlayer.launch();
  }, 120_000);

  afterAll(async () => {
    await player?.close();
    await server?.close();
  });

  test('fixtures have two renditions of 2 s segments covering the whole asset', () => {
    for (const set of Object.values(fixtures.sets)) {
      for (const rendition of hlsFixtureFormat.renditions) {
        const playlist = fs.readFileSync(path.join(set.dir, rendition, 'index.m3u8'), 'utf8');
        expect(playlist.match(/#EXTINF:2\.000000,/g)).toHaveLength(set.segmentCount);
        expect(playlist).toContain('#EXT-X-ENDLIST');
      }
    }
  });

  test('fixtures are reused from the cache, not regenerated', () => {
    const before = fs.statSync(path.join(fixtures.root, 'content-ts', 'master.m3u8')).mtimeMs;
    expect(hlsFixtures().root).toBe(fixtures.root);
    expect(fs.statSync(path.join(fixtures.root, 'content-ts', 'master.m3u8')).mtimeMs).toBe(before);
  });

  test.each(['ts', 'fmp4'] as const)('hls.js plays the unstitched %s content to the end', async (container) => {
    const set = fixtures.sets[`content-${container}`];
    const result = await player.play(`${server.origin}/media/${set.relativeDir}/master.m3u8`);
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    expect(result.outcome).toBe('ended');
    expect(result.currentTime).toBeCloseTo(set.durationSeconds, 0);
    expect(result.discontinuities).toEqual([0]);
  }, 90_000);

  test.each(['ts', 'fmp4'] as const)('hls.js crosses the discontinuity of a hand-stitched %s pre-roll', async (container) => {
    const ad = fixtures.sets[`ad-${container}`];
    const content = fixtures.sets[`content-${container}`];
    const result = await player.play(`${server.origin}/stitched/pre-roll-${container}.m3u8`);
    expect(result.outcome).toBe('ended');
    expect(result.discontinuities).toEqual([0, 1]);
    expect(result.currentTime).toBeCloseTo(ad.durationSeconds + content.durationSeconds, 0);
    const firstContent = result.fragments.find((f) => f.cc === 1)!;
    expect(firstContent.url).toContain(`/media/content-${container}/360p/seg_000`);
    expect(firstContent.start).toBeCloseTo(ad.durationSeconds, 0);
  }, 90_000);

  test('hls.js reports a missing segment as a fatal 404 instead of playing on', async () => {
    const result = await player.play(`${server.origin}/stitched/missing-segment.m3u8`, { hlsConfig: noRetryHlsConfig, timeoutMs: 20_000 });
    expect(result.outcome).toBe('fatal');
    expect(result.errors.find((e) => e.fatal)).toMatchObject({ type: 'networkError', details: 'fragLoadError', code: 404 });
    expect(result.errors.find((e) => e.fatal)?.url).toContain('seg_999.ts');
  }, 60_000);

  test.each([0, 1])('ffprobe counts every frame of content TS variant %i', async (variant) => {
    const set = fixtures.sets['content-ts'];
    expect(await countVideoFrames(`${server.origin}/media/${set.relativeDir}/master.m3u8`, { variant })).toBe(set.videoFrames);
  }, 60_000);

  test('ffmpeg frame MD5s of a hand-stitched TS pre-roll are the ad frames then the content frames', async () => {
    const [ad, content, stitched] = await Promise.all([
      decodeVideoFrames(`${server.origin}/media/ad-ts/360p/index.m3u8`),
      decodeVideoFrames(`${server.origin}/media/content-ts/360p/index.m3u8`),
      decodeVideoFrames(`${server.origin}/stitched/pre-roll-ts.m3u8`),
    ]);
    expect(ad.frameMd5s).toHaveLength(fixtures.sets['ad-ts'].videoFrames);
    expect(content.frameMd5s).toHaveLength(fixtures.sets['content-ts'].videoFrames);
    expect(stitched.exitCode).toBe(0);
    expect(stitched.frameMd5s).toEqual([...ad.frameMd5s, ...content.frameMd5s]);
  }, 90_000);

  test('ffmpeg fails on a missing playlist and names the 404', async () => {
    const url = `${server.origin}/stitched/broken.m3u8`;
    const result = await decodeVideoFrames(url, { timeoutMs: 20_000 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/404/);
  }, 60_000);
});
