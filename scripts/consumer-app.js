// A consumer's CDK app in plain JavaScript, synthesized by scripts/consumer-smoke.sh from the
// packed tarball: it uses only the public API, exactly as a user of the npm package would.
const { App, Stack } = require('aws-cdk-lib');
const ott = require('cdk-ott-constructs');

const app = new App();
const stack = new Stack(app, 'ConsumerStack', { env: { account: '111111111111', region: 'eu-west-1' } });
void ott;
void stack;
app.synth();
