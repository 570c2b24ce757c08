/**
 * A player's view: hls.js in headless Chromium starts a session through `/session-initializer/v1/master/...` on the
 * CDN stand-in, which has the construct's own cache behaviors (read from its template) and runs the shipped
 * stream-id redirect function as the template deploys it; the 302 leads to a loopback fake of MediaTailor that
 * serves real HLS whose segments point at the CDN's content prefix, served from the content origin.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlaybackConfiguration, PrefetchSessionInitializer } from '../../src';
import { sessionInitializerPrefix, streamIdQueryKey } from '../../src/prefetch-session-initializer/contract/protocol';
import { streamIds } from '../../src/prefetch-session-initializer/contract/stream-groups';
import { CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { loadCloudFrontFunction } from '../harness/cloudfront-function';
import { standInBehaviors } from '../harness/cloudfront-template';
import { FakeEndpoint, RecordedRequest, startFakeEndpoint } from '../harness/fake-endpoint';
import { hlsFixtures, hlsFixtureFormat } from '../harness/hls-fixtures';
import { HlsPlayer, PlaybackResult } from '../harness/hls-player';
import { LoopbackServer, startStaticServer } from '../harness/static-server';
import { describeWithTools } from '../harness/tools';

const groups = 4;
const contentPath = '/out/v1/';
const account = '94063eadf7d8c56e9e2edd84fdf897826a70d0df';

describeWithTools(['ffmpeg', 'chromium'], 'PrefetchSessionInitializer: hls.js starts through /session-initializer/ and plays', () => {
  let contentOrigin: LoopbackServer;
  let mediaTailor: FakeEndpoint;
  let cdn: CdnStandIn;
  let player: HlsPlayer;
  let configurationName: string;
  let workDir: string;
  const results: PlaybackResult[] = [];

  beforeAll(async () => {
    const set = hlsFixtures().sets['content-ts'];
    const stack = new Stack(new App(), 'Ads', { env: { account: '111111111111', region: 'eu-west-1' } });
    const initializer = new PrefetchSessionInitializer(stack, 'Initializer', {
      playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: 'https://ads.example.com/vast', videoContentSourceUrl: `https://origin.example.com${contentPath}` }),
      prefetchGroups: groups,
    });
    configurationName = initializer.playbackConfigurationName;

    contentOrigin = await startStaticServer({ mounts: { [contentPath]: set.dir } });
    // MediaTailor as a player sees it: the multivariant playlist of a new session, then its media playlists, whose
    // segments MediaTailor rewrites to the configuration's CDN content segment prefix (the distribution)
    mediaTailor = await startFakeEndpoint((request: RecordedRequest) => {
      const hls = (body: string) => ({ status: 200, headers: { 'content-type': 'application/vnd.apple.mpegurl' }, body });
      if (request.path === `/v1/master/${account}/${configurationName}${contentPath}${hlsFixtureFormat.multivariantFile}`) {
        const session = `session-${request.query.get(streamIdQueryKey) ?? 'none'}`;
        let rendition = 0;
        const master = fs.readFileSync(path.join(set.dir, hlsFixtureFormat.multivariantFile), 'utf8')
          .replace(/^[^#\s].*$/gm, () => `/v1/manifest/${account}/${session}/${rendition++}.m3u8`);
        return hls(master);
      }
      const media = /^\/v1\/manifest\/[0-9a-f]+\/[\w-]+\/(\d)\.m3u8$/.exec(request.path);
      if (media) {
        const rendition = hlsFixtureFormat.renditions[Number(media[1])];
        const playlist = fs.readFileSync(path.join(set.dir, rendition, hlsFixtureFormat.mediaPlaylistFile), 'utf8')
          .replace(/^[^#\s].*$/gm, (segment) => `${cdn.origin}${contentPath}${rendition}/${segment}`);
        return hls(playlist);
      }
      return { status: 404, body: 'not a MediaTailor path this fake knows\n' };
    });

    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psi-player-'));
    const behaviors = standInBehaviors(Template.fromStack(stack), (origin) => {
      const domain = JSON.stringify(origin.domainName);
      if (domain.includes('origin.example.com')) return contentOrigin.origin;
      if (domain.includes('mediatailor.eu-west-1.amazonaws.com')) return mediaTailor.url;
      return 'http://127.0.0.1:9'; // the session function's URL: no explicit session in this test
    }, (logicalId, code) => {
      const file = path.join(workDir, `${logicalId}.js`);
      fs.writeFileSync(file, code);
      return loadCloudFrontFunction(file);
    });
    cdn = await startCdnStandIn({ origin: contentOrigin.origin, behaviors });
    player = await HlsPlayer.launch();
    for (let session = 0; session < 3; session++) {
      results.push(await player.play(`${cdn.origin}${sessionInitializerPrefix}/v1/master/${account}/${configurationName}${contentPath}${hlsFixtureFormat.multivariantFile}?campaign=a%20b&empty=`, { timeoutMs: 90_000 }));
    }
  }, 240_000);

  afterAll(async () => {
    await player?.close();
    await cdn?.close();
    await mediaTailor?.close();
    await contentOrigin?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the player is redirected (302 from the shipped function) to MediaTailor\'s own path, query kept, stream id added', () => {
    const redirects = cdn.requests.filter((request) => request.path.startsWith(sessionInitializerPrefix));
    expect(redirects).toHaveLength(3);
    for (const redirect of redirects) {
      expect(redirect).toMatchObject({ status: 302, functionRan: true, cache: 'none' });
      expect(redirect.headers.location).toMatch(new RegExp(`^/v1/master/${account}/${configurationName}${contentPath}master\\.m3u8\\?campaign=a%20b&empty=&aws\\.streamId=[1-${groups}]$`));
    }
  });

  test('every session reaches MediaTailor with a stream id of one of the groups, the viewer\'s query intact', () => {
    const sessions = mediaTailor.requests.filter((request) => request.path.startsWith('/v1/master/'));
    expect(sessions).toHaveLength(3);
    for (const session of sessions) {
      expect(streamIds(groups)).toContain(session.query.get(streamIdQueryKey));
      expect(session.query.getAll(streamIdQueryKey)).toHaveLength(1);
      expect(session.query.get('campaign')).toBe('a b');
      expect(session.query.get('empty')).toBe('');
    }
  });

  test('playback runs to the end on content segments from the content origin, through the distribution', () => {
    const { segmentCount } = hlsFixtures().sets['content-ts'];
    for (const result of results) {
      expect(result.errors.filter((error) => error.fatal)).toEqual([]);
      expect(result.outcome).toBe('ended');
      expect(result.currentTime).toBeGreaterThan(hlsFixtures().sets['content-ts'].durationSeconds - 1);
      expect(result.decodedFrames).toBeGreaterThan(0);
      // FRAG_CHANGED samples the playhead, and a loaded machine can step over a fragment between two samples: the proof
      // is that the last segment was shown and that every segment came through the distribution (below), not a count.
      expect(result.fragments.reduce((last, fragment) => Math.max(last, fragment.sn), -1)).toBe(segmentCount - 1);
      for (const fragment of result.fragments) expect(fragment.url.startsWith(`${cdn.origin}${contentPath}`)).toBe(true);
    }
    const segmentsServed = new Set(cdn.requests.filter((request) => request.path.endsWith('.ts') && request.status === 200)
      .map((request) => path.posix.basename(request.path)));
    expect(segmentsServed.size).toBe(segmentCount);
    expect(contentOrigin.requests.some((request) => request.url.endsWith('.ts') && request.status === 200)).toBe(true);
    expect(cdn.requests.filter((request) => request.path.endsWith('.ts')).every((request) => request.behavior === '*')).toBe(true);
  });
});
