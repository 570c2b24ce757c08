import { functionUrlFixture } from './function-url-stack';
import { serviceRules, serviceRuleViolations } from './service-rules';
import { CfnResource, CfnTemplate, cloneTemplate } from './template';

const fixture = functionUrlFixture();

/** The fixture's template with one change. */
function changed(edit: (template: CfnTemplate) => void): CfnTemplate {
  const template = cloneTemplate(fixture.template);
  edit(template);
  return template;
}

function propertiesOf(template: CfnTemplate, logicalId: string): Record<string, any> {
  return template.Resources[logicalId].Properties as Record<string, any>;
}

function addResource(template: CfnTemplate, logicalId: string, resource: CfnResource): void {
  (template.Resources as Record<string, CfnResource>)[logicalId] = resource;
}

describe('service rules table', () => {
  test('every row names an AWS documentation page; documented-only rows say why no check can see them', () => {
    for (const row of serviceRules) {
      expect(row.docs.length).toBeGreaterThan(0);
      for (const url of row.docs) expect(url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      if (row.kind === 'documented') expect(row.whyNotChecked.length).toBeGreaterThan(40);
    }
    expect(new Set(serviceRules.map((row) => row.id)).size).toBe(serviceRules.length);
  });

  test('a sound template breaks no rule', async () => {
    expect(await serviceRuleViolations(fixture.template)).toEqual([]);
  });

  test('mutation: without the lambda:InvokeFunction permission the dual-permission rule fails, naming the Function URL', async () => {
    const broken = changed((template) => delete (template.Resources as Record<string, unknown>)[fixture.invokeFunctionPermissionId]);
    expect(await serviceRuleViolations(broken)).toEqual([
      expect.stringMatching(new RegExp(`^lambda-url-dual-permission: ${fixture.urlId}: the function's resource policy refuses CloudFront from ${fixture.distributionId} lambda:InvokeFunction via the Function URL`)),
    ]);
  });

  test('a permission not scoped to the distribution, or without InvokedViaFunctionUrl, fails the same rule', async () => {
    const unscoped = changed((template) => {
      delete propertiesOf(template, fixture.invokeUrlPermissionId).SourceArn;
      delete propertiesOf(template, fixture.invokeFunctionPermissionId).InvokedViaFunctionUrl;
    });
    const lines = await serviceRuleViolations(unscoped);
    expect(lines).toEqual([
      expect.stringContaining('lets any distribution call lambda:InvokeFunctionUrl'),
      expect.stringContaining('lets CloudFront invoke the function directly'),
    ]);
  });

  test('mutation: a caching-disabled cache policy with gzip and a header in the key fails', async () => {
    const broken = changed((template) => {
      const config = propertiesOf(template, fixture.cachePolicyId).CachePolicyConfig;
      Object.assign(config, { MinTTL: 0, DefaultTTL: 0, MaxTTL: 0 });
      config.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig = { HeaderBehavior: 'whitelist', Headers: ['Origin'] };
    });
    expect(await serviceRuleViolations(broken)).toEqual([
      `caching-disabled-cache-key: ${fixture.cachePolicyId}: MaxTTL is 0 (caching disabled) but the policy sets EnableAcceptEncodingGzip true, HeaderBehavior whitelist (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cache-key-understand-cache-policy.html)`,
    ]);
  });

  test('POST through the OAC-signed Function URL fails', async () => {
    const broken = changed((template) => {
      propertiesOf(template, fixture.distributionId).DistributionConfig.DefaultCacheBehavior.AllowedMethods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];
    });
    expect(await serviceRuleViolations(broken)).toEqual([expect.stringMatching(/^lambda-url-oac-no-body-methods: .*behavior default allows PUT, POST/)]);
  });

  test('an OAC-signed Function URL without AWS_IAM auth fails', async () => {
    const broken = changed((template) => { propertiesOf(template, fixture.urlId).AuthType = 'NONE'; });
    expect(await serviceRuleViolations(broken)).toEqual([expect.stringMatching(new RegExp(`^lambda-url-oac-needs-iam-auth: ${fixture.urlId}: .*AuthType is NONE`))]);
  });

  test('a 26th cache behavior on one distribution fails', async () => {
    const broken = changed((template) => {
      const config = propertiesOf(template, fixture.distributionId).DistributionConfig;
      const behavior = config.DefaultCacheBehavior;
      config.CacheBehaviors = Array.from({ length: 26 }, (_, index) => ({ ...behavior, PathPattern: `/p${index}/*` }));
    });
    expect(await serviceRuleViolations(broken)).toEqual([
      expect.stringMatching(new RegExp(`^cloudfront-behaviors-per-distribution: ${fixture.distributionId}: 26 cache behaviors, more than the default quota of 25`)),
    ]);
  });

  test('SQS delay beyond 900 s and a visibility timeout below the function timeout fail', async () => {
    const queueId = Object.keys(fixture.template.Resources).find((id) => fixture.template.Resources[id].Type === 'AWS::SQS::Queue')!;
    const broken = changed((template) => Object.assign(propertiesOf(template, queueId), { DelaySeconds: 901, VisibilityTimeout: 5 }));
    expect(await serviceRuleViolations(broken)).toEqual([
      expect.stringMatching(new RegExp(`^sqs-attribute-ranges: ${queueId}: DelaySeconds is 901, outside 0-900`)),
      expect.stringMatching(new RegExp(`^sqs-visibility-covers-function-timeout: .*queue ${queueId} has a 5 s visibility timeout, less than the 10 s timeout`)),
    ]);
  });

  test('a CloudFront Function on the 1.0 runtime or over 10 KB fails', async () => {
    const broken = changed((template) => {
      addResource(template, 'Old', { Type: 'AWS::CloudFront::Function', Properties: { Name: 'old', AutoPublish: true, FunctionCode: 'function handler(e) { return e.request; }', FunctionConfig: { Comment: 'x', Runtime: 'cloudfront-js-1.0' } } });
      addResource(template, 'Big', { Type: 'AWS::CloudFront::Function', Properties: { Name: 'big', AutoPublish: true, FunctionCode: `// ${'x'.repeat(10 * 1024)}`, FunctionConfig: { Comment: 'x', Runtime: 'cloudfront-js-2.0' } } });
    });
    expect(await serviceRuleViolations(broken)).toEqual([
      expect.stringMatching(/^cloudfront-function-runtime-and-size: Old: runtime is cloudfront-js-1.0, not cloudfront-js-2.0/),
      expect.stringMatching(/^cloudfront-function-runtime-and-size: Big: code is 10243 bytes, more than 10240/),
    ]);
  });

  test('a 26th prefetch schedule on one playback configuration and a UDP_PUSH MediaLive input fail', async () => {
    const broken = changed((template) => {
      for (let index = 0; index < 26; index += 1) {
        addResource(template, `Schedule${index}`, { Type: 'AWS::MediaTailor::PrefetchSchedule', Properties: { Name: `s${index}`, PlaybackConfigurationName: 'live', Consumption: { EndTime: '2026-12-01T05:00:00Z' }, Retrieval: { EndTime: '2026-12-01T04:55:00Z' } } });
      }
      addResource(template, 'Feed', { Type: 'AWS::MediaLive::Input', Properties: { Type: 'UDP_PUSH', Name: 'feed' } });
    });
    expect(await serviceRuleViolations(broken)).toEqual([
      expect.stringMatching(/^mediatailor-prefetch-schedules-per-configuration: Schedule25: playback configuration live gets 26 prefetch schedules, more than 25/),
      expect.stringMatching(/^medialive-no-udp-input: Feed: input Type is UDP_PUSH/),
    ]);
  });
});
