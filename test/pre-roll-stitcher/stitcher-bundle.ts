import * as path from 'path';
import { PlaybackUrl, StitchPayload } from '../../src/pre-roll-stitcher/contract/playback-url';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';
import { setEnvironment } from '../harness/environment';
import { FakeEndpoint, startFakeEndpoint } from '../harness/fake-endpoint';
import { FunctionUrlHandler, LoopbackFunctionUrl, serveFunctionUrl } from '../harness/function-url';
import { hlsFixtures } from '../harness/hls-fixtures';
import { HlsPlayer } from '../harness/hls-player';
import { LoopbackServer, startStaticServer } from '../harness/static-server';

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
 * Loads `assets/lambda-src/pre-roll-stitcher/stitch.lambda/index.js` (what the construct deploys) with the
 * environment the construct would set, plus `overrides`, and serves it as a Function URL. Call once
 * per test file: the bundle reads its configuration when it is first required.
 */
export async function startStitcherBundle(overrides: Record<string, string>): Promise<RunningStitcher> {
  const secretsManager = await startFakeEndpoint((request) => request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue'
    ? { status: 200, body: { ARN: secretArn, Name: 'stitcher-signing', SecretString: testSigningSecret } }
    : { status: 400, headers: { 'x-amzn-errortype': 'InvalidRequestException' }, body: { Message: 'unexpected call' } });
  const restoreEnvironment = setEnvironment({
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
  const bundle = path.join(__dirname, '..', '..', 'assets', 'lambda-src', 'pre-roll-stitcher', 'stitch.lambda', 'index.js');
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
      restoreEnvironment();
    },
  };
}

/** The fixtures on a loopback media origin, the shipped stitcher in front of it, and hls.js to play. */
export interface StitchedPlaybackRig {
  readonly media: LoopbackServer;
  readonly stitcher: RunningStitcher;
  readonly player: HlsPlayer;
  /** A signed playback URL of the stitcher for this payload. */
  playbackUrl(payload: StitchPayload): string;
  stop(): Promise<void>;
}

/** Starts a {@link StitchedPlaybackRig}; the stitcher may fetch from the media origin only. */
export async function startStitchedPlaybackRig(overrides: Record<string, string> = {}): Promise<StitchedPlaybackRig> {
  const media = await startStaticServer({ mounts: { '/media/': hlsFixtures().root } });
  const stitcher = await startStitcherBundle({ [stitcherEnvironment.allowedOrigins]: `127.0.0.1:${media.port}`, ...overrides });
  const player = await HlsPlayer.launch();
  return {
    media,
    stitcher,
    player,
    playbackUrl: (payload) => PlaybackUrl.sign({ baseUrl: stitcher.functionUrl.origin, signingSecret: testSigningSecret, payload }),
    stop: async () => {
      await player.close();
      await stitcher.stop();
      await media.close();
    },
  };
}
