import * as path from 'path';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/protocol';
import { FakeEndpoint, startFakeEndpoint } from '../harness/fake-endpoint';
import { FunctionUrlHandler, LoopbackFunctionUrl, serveFunctionUrl } from '../harness/function-url';

/** The signing secret the fake Secrets Manager hands out. */
export const testSigningSecret = 'test-signing-secret-of-enough-length';
const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:stitcher-signing-AbCdEf';

/** The shipped stitcher bundle, served on loopback with a fake Secrets Manager behind it. */
export interface RunningStitcher {
  readonly functionUrl: LoopbackFunctionUrl;
  readonly secretsManager: FakeEndpoint;
  /** EMF and log lines the function printed. */
  readonly stdout: string[];
  stop(): Promise<void>;
}

/**
 * Loads `assets/lambda-src/pre-roll-stitch.lambda/index.js` (what the construct deploys) with the
 * environment the construct would set, plus `overrides`, and serves it as a Function URL. Call once
 * per test file: the bundle reads its configuration when it is first required.
 */
export async function startStitcherBundle(overrides: Record<string, string>): Promise<RunningStitcher> {
  const secretsManager = await startFakeEndpoint((request) => request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue'
    ? { status: 200, body: { ARN: secretArn, Name: 'stitcher-signing', SecretString: testSigningSecret } }
    : { status: 400, headers: { 'x-amzn-errortype': 'InvalidRequestException' }, body: { Message: 'unexpected call' } });
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    POWERTOOLS_SERVICE_NAME: 'pre-roll-stitcher-test',
    [stitcherEnvironment.signingSecretArn]: secretArn,
    [stitcherEnvironment.allowHttp]: 'true',
    ...overrides,
  });
  const stdout: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // Powertools writes structured logs and EMF metrics to stdout; keep them for assertions, not the console
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  const bundle = path.join(__dirname, '..', '..', 'assets', 'lambda-src', 'pre-roll-stitch.lambda', 'index.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundle) as { handler: FunctionUrlHandler };
  const functionUrl = await serveFunctionUrl(handler);
  return {
    functionUrl,
    secretsManager,
    stdout,
    stop: async () => {
      await functionUrl.close();
      await secretsManager.close();
      process.stdout.write = write;
    },
  };
}
