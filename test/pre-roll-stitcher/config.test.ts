import { readConfig } from '../../lambda-src/pre-roll-stitcher/config';

describe('readConfig', () => {
  test('uses the defaults for an empty environment', () => {
    expect(readConfig({})).toEqual({
      allowedOrigins: [],
      allowHttp: false,
      signingSecretArn: undefined,
      mode: 'splice',
      dateRangeMarkers: false,
      payloadLimits: { maxPayloadLength: 4096, maxBreaks: 16 },
      upstreamLimits: { timeoutMs: 3000, maxBytes: 4 * 1024 * 1024, maxRedirects: 3 },
      requestDeadlineMs: 9000,
      upstreamCacheTtlMs: 300_000,
      upstreamCacheBytes: 32 * 1024 * 1024,
      responseMaxAgeSeconds: 86400,
      pathPrefix: '',
    });
  });

  test('reads STITCHER_REQUEST_DEADLINE_MS, at least 100', () => {
    expect(readConfig({ STITCHER_REQUEST_DEADLINE_MS: '4000' }).requestDeadlineMs).toBe(4000);
    expect(() => readConfig({ STITCHER_REQUEST_DEADLINE_MS: '99' })).toThrow('STITCHER_REQUEST_DEADLINE_MS must be an integer >= 100, got \'99\'');
  });

  test('reads STITCHER_ALLOWED_ORIGINS as a lowercased list', () => {
    const config = readConfig({ STITCHER_ALLOWED_ORIGINS: 'CDN.example.com, *.ads.example.net' });

    expect(config.allowedOrigins).toEqual(['cdn.example.com', '*.ads.example.net']);
  });

  test('reads STITCHER_ALLOW_HTTP=true', () => {
    expect(readConfig({ STITCHER_ALLOW_HTTP: 'true' }).allowHttp).toBe(true);
  });

  test.each(['false', 'TRUE', '1', 'yes', ''])('reads STITCHER_ALLOW_HTTP=%s as false', (value) => {
    expect(readConfig({ STITCHER_ALLOW_HTTP: value }).allowHttp).toBe(false);
  });

  test('reads STITCHER_SIGNING_SECRET_ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stitcher-AbCdEf';

    expect(readConfig({ STITCHER_SIGNING_SECRET_ARN: arn }).signingSecretArn).toBe(arn);
  });

  test('reads an empty STITCHER_SIGNING_SECRET_ARN as unsigned', () => {
    expect(readConfig({ STITCHER_SIGNING_SECRET_ARN: '' }).signingSecretArn).toBeUndefined();
  });

  test('reads STITCHER_OUTPUT_MODE=interstitials', () => {
    expect(readConfig({ STITCHER_OUTPUT_MODE: 'interstitials' }).mode).toBe('interstitials');
  });

  test('reads STITCHER_OUTPUT_MODE=splice', () => {
    expect(readConfig({ STITCHER_OUTPUT_MODE: 'splice' }).mode).toBe('splice');
  });

  test('reads STITCHER_DATERANGE_MARKERS=true', () => {
    expect(readConfig({ STITCHER_DATERANGE_MARKERS: 'true' }).dateRangeMarkers).toBe(true);
  });

  test('reads STITCHER_MAX_PAYLOAD_LENGTH', () => {
    expect(readConfig({ STITCHER_MAX_PAYLOAD_LENGTH: '8192' }).payloadLimits.maxPayloadLength).toBe(8192);
  });

  test('reads STITCHER_MAX_BREAKS', () => {
    expect(readConfig({ STITCHER_MAX_BREAKS: '4' }).payloadLimits.maxBreaks).toBe(4);
  });

  test('accepts STITCHER_MAX_BREAKS=0', () => {
    expect(readConfig({ STITCHER_MAX_BREAKS: '0' }).payloadLimits.maxBreaks).toBe(0);
  });

  test('reads STITCHER_UPSTREAM_TIMEOUT_MS', () => {
    expect(readConfig({ STITCHER_UPSTREAM_TIMEOUT_MS: '1500' }).upstreamLimits.timeoutMs).toBe(1500);
  });

  test('reads STITCHER_MAX_UPSTREAM_BYTES', () => {
    expect(readConfig({ STITCHER_MAX_UPSTREAM_BYTES: '65536' }).upstreamLimits.maxBytes).toBe(65536);
  });

  test('reads STITCHER_UPSTREAM_CACHE_TTL_SECONDS as milliseconds', () => {
    expect(readConfig({ STITCHER_UPSTREAM_CACHE_TTL_SECONDS: '30' }).upstreamCacheTtlMs).toBe(30_000);
  });

  test('reads STITCHER_UPSTREAM_CACHE_BYTES', () => {
    expect(readConfig({ STITCHER_UPSTREAM_CACHE_BYTES: '0' }).upstreamCacheBytes).toBe(0);
  });

  test('reads STITCHER_RESPONSE_MAX_AGE_SECONDS', () => {
    expect(readConfig({ STITCHER_RESPONSE_MAX_AGE_SECONDS: '60' }).responseMaxAgeSeconds).toBe(60);
  });

  test('reads STITCHER_PATH_PREFIX', () => {
    expect(readConfig({ STITCHER_PATH_PREFIX: '/stitch' }).pathPrefix).toBe('/stitch');
  });

  test('uses the default for an empty integer variable', () => {
    expect(readConfig({ STITCHER_MAX_BREAKS: '' }).payloadLimits.maxBreaks).toBe(16);
  });

  test('rejects an unknown output mode, naming the variable and the value', () => {
    expect(() => readConfig({ STITCHER_OUTPUT_MODE: 'ssai' })).toThrow('STITCHER_OUTPUT_MODE must be splice or interstitials, got \'ssai\'');
  });

  test('rejects an empty output mode', () => {
    expect(() => readConfig({ STITCHER_OUTPUT_MODE: '' })).toThrow('STITCHER_OUTPUT_MODE must be splice or interstitials, got \'\'');
  });

  test.each([
    ['STITCHER_MAX_BREAKS', 'many', 'STITCHER_MAX_BREAKS must be an integer >= 0, got \'many\''],
    ['STITCHER_MAX_BREAKS', '-1', 'STITCHER_MAX_BREAKS must be an integer >= 0, got \'-1\''],
    // the same minimums the construct enforces at synth time (one contract)
    ['STITCHER_MAX_PAYLOAD_LENGTH', '1.5', 'STITCHER_MAX_PAYLOAD_LENGTH must be an integer >= 64, got \'1.5\''],
    ['STITCHER_MAX_PAYLOAD_LENGTH', '63', 'STITCHER_MAX_PAYLOAD_LENGTH must be an integer >= 64, got \'63\''],
    ['STITCHER_UPSTREAM_TIMEOUT_MS', '99', 'STITCHER_UPSTREAM_TIMEOUT_MS must be an integer >= 100, got \'99\''],
    ['STITCHER_MAX_UPSTREAM_BYTES', '1023', 'STITCHER_MAX_UPSTREAM_BYTES must be an integer >= 1024, got \'1023\''],
    ['STITCHER_UPSTREAM_CACHE_TTL_SECONDS', '5m', 'STITCHER_UPSTREAM_CACHE_TTL_SECONDS must be an integer >= 0, got \'5m\''],
    ['STITCHER_UPSTREAM_CACHE_BYTES', 'NaN', 'STITCHER_UPSTREAM_CACHE_BYTES must be an integer >= 0, got \'NaN\''],
    ['STITCHER_RESPONSE_MAX_AGE_SECONDS', 'Infinity', 'STITCHER_RESPONSE_MAX_AGE_SECONDS must be an integer >= 0, got \'Infinity\''],
    ['STITCHER_MAX_BREAKS', ' 12 ', 'STITCHER_MAX_BREAKS must be an integer >= 0, got \' 12 \''],
    ['STITCHER_MAX_BREAKS', '0x10', 'STITCHER_MAX_BREAKS must be an integer >= 0, got \'0x10\''],
    ['STITCHER_MAX_BREAKS', '1e3', 'STITCHER_MAX_BREAKS must be an integer >= 0, got \'1e3\''],
  ])('rejects %s=%s, naming the variable and the value', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });
});
