// A consumer's CDK app in plain JavaScript, synthesized by test/consumer/consumer-smoke.sh from the
// packed tarball: it uses only the public API, exactly as a user of the npm package would.
const { App, Duration, Stack } = require('aws-cdk-lib');
const { LivePipeline, PlaybackUrl, PreRollStitcher, StaleDetection, StalePlaylistGuard } = require('cdk-ott-constructs');

const app = new App();
const stack = new Stack(app, 'ConsumerStack', { env: { account: '111111111111', region: 'eu-west-1' } });
new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'] });
// edge mode reads its CloudFront Function file from the package; origin mode bundles a second handler
new StalePlaylistGuard(stack, 'EdgeGuard', { targetDuration: Duration.seconds(4) });
new StalePlaylistGuard(stack, 'OriginGuard', {
  targetDuration: Duration.seconds(4),
  detection: StaleDetection.ORIGIN,
  pipelines: [LivePipeline.atPrefix('a/'), LivePipeline.atPrefix('b/')],
});
// the minting helper ships in the package too
const url = PlaybackUrl.sign({
  baseUrl: 'https://d111111abcdef8.cloudfront.net',
  payload: { contentUri: 'https://vod.example.com/a/master.m3u8', breaks: [{ positionMs: 0, adUri: 'https://vod.example.com/ad/master.m3u8' }] },
  signingSecret: 'example',
});
if (!url.startsWith('https://d111111abcdef8.cloudfront.net/master.m3u8?payload=')) throw new Error(`unexpected playback URL ${url}`);
app.synth();
