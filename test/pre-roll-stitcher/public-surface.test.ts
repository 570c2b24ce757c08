import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PayloadSigning, PreRollStitcher } from '../../src';
import { stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';

/** Every public method of the construct, run once: what API.md promises is what a user gets. */
describe('PreRollStitcher public surface', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const stitcher = new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'] });

  test.each([
    ['metricStitchErrors', stitcherMetrics.stitchErrors],
    ['metricSkippedBreaks', stitcherMetrics.skippedBreaks],
    ['metricClientErrors', stitcherMetrics.clientErrors],
    ['metricStitchedPlaylists', stitcherMetrics.stitchedPlaylists],
  ] as const)('%s reads %s, summed per minute, under the function\'s service name', (method, metricName) => {
    const metric = stitcher[method]({ period: Duration.minutes(5) });
    expect(metric.namespace).toBe(stitcherMetrics.namespace);
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
    expect(metric.dimensions).toEqual({ service: expect.stringMatching(/^pre-roll-stitcher-SStitcher[0-9A-F]{8}$/) });
  });

  test('grantReadSigningSecret lets a backend read the signing secret, and refuses when nothing is signed', () => {
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(stitcher.grantReadSigningSecret(backend).success).toBe(true);
    const unsigned = new PreRollStitcher(stack, 'Unsigned', { allowedOrigins: ['vod.example.com'], signing: PayloadSigning.unsigned() });
    expect(unsigned.signingSecret).toBeUndefined();
    expect(() => unsigned.grantReadSigningSecret(backend)).toThrow('grantReadSigningSecret: this stitcher signs nothing (signing is PayloadSigning.unsigned())');
  });
});

describe('PreRollStitcher refusals at synth time', () => {
  test('an upstream timeout under the contract\'s minimum, naming the prop and the value', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'], upstreamTimeout: Duration.millis(50) }))
      .toThrow('upstreamTimeout must be at least 100 ms, got 50 millis');
  });
});
