import { App, Duration, Stack } from 'aws-cdk-lib';
import { PlaybackConfiguration, PrefetchSessionInitializer } from '../../src';
import { sessionMetrics } from '../../src/prefetch-session-initializer/contract/protocol';

/** Every public metric of the construct, run once: what API.md promises is what a user gets. */
describe('PrefetchSessionInitializer public surface', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const initializer = new PrefetchSessionInitializer(stack, 'Ads', {
    playbackConfiguration: PlaybackConfiguration.create({
      adDecisionServerUrl: 'https://ads.example.com/vast', videoContentSourceUrl: 'https://live.example.com/out/v1/',
    }),
  });

  test.each([
    ['metricSessionsInitialized', sessionMetrics.sessionsInitialized],
    ['metricClientErrors', sessionMetrics.clientErrors],
    ['metricMediaTailorErrors', sessionMetrics.mediaTailorErrors],
  ] as const)('%s reads %s under the session function\'s service name', (method, metricName) => {
    const metric = initializer[method]({ period: Duration.minutes(5) });
    expect(metric.namespace).toBe(sessionMetrics.namespace);
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
    expect(metric.dimensions).toEqual({ service: expect.stringMatching(/^prefetch-session-initializer-/) });
  });
});
