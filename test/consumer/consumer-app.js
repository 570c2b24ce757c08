// A consumer's CDK app in plain JavaScript, synthesized by test/consumer/consumer-smoke.sh from the
// packed tarball: it uses only the public API, exactly as a user of the npm package would.
const { App, Stack } = require('aws-cdk-lib');
const { PlaybackUrl, PreRollStitcher } = require('cdk-ott-constructs');

const app = new App();
const stack = new Stack(app, 'ConsumerStack', { env: { account: '111111111111', region: 'eu-west-1' } });
new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'] });
// the minting helper ships in the package too
const url = PlaybackUrl.sign({
  baseUrl: 'https://d111111abcdef8.cloudfront.net',
  payload: { contentUri: 'https://vod.example.com/a/master.m3u8', breaks: [{ positionMs: 0, adUri: 'https://vod.example.com/ad/master.m3u8' }] },
  signingSecret: 'example',
});
if (!url.startsWith('https://d111111abcdef8.cloudfront.net/master.m3u8?payload=')) throw new Error(`unexpected playback URL ${url}`);
app.synth();
