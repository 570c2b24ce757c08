import { distributionArnOf, IamModel, simulate } from './iam-simulation';
import { distributionArn, Resolved } from './intrinsics';
import { logicalIdsOfType, propertiesOf, TemplateSource } from './template';
import { MAX_FUNCTION_SIZE_BYTES } from '../cloudfront-function';

/** A template that breaks a service rule: the resource and what is wrong with it. */
export interface RuleViolation {
  readonly logicalId: string;
  readonly message: string;
}

/**
 * One rule an AWS service enforces (or a behaviour it has) that no linter holds. `check` rows test a template;
 * `documented` rows are knowledge a construct author must apply, with why no template check can see them.
 */
export type ServiceRule = {
  readonly id: string;
  /** The rule, in one line. */
  readonly rule: string;
  /** The AWS documentation that states it. */
  readonly docs: string[];
} & (
  | { readonly kind: 'check'; readonly check: (model: IamModel) => Promise<RuleViolation[]> | RuleViolation[] }
  | { readonly kind: 'documented'; readonly whyNotChecked: string }
);

/** A CloudFront origin that is a Function URL of this template, with the OAC that signs requests to it (if any). */
interface FunctionUrlOrigin {
  readonly distribution: string;
  readonly originId: string;
  readonly url: string;
  readonly oac?: { readonly logicalId: string; readonly originType: string; readonly signing: string };
}

/** ParametersInCacheKeyAndForwardedToOrigin of a cache policy, resolved. */
interface CacheKeySettings {
  readonly EnableAcceptEncodingGzip?: Resolved;
  readonly EnableAcceptEncodingBrotli?: Resolved;
  readonly HeadersConfig?: Record<string, Resolved>;
  readonly CookiesConfig?: Record<string, Resolved>;
  readonly QueryStringsConfig?: Record<string, Resolved>;
}

/** Cache behaviors one distribution may have under CloudFront's default quota (adjustable on request). */
const maxCacheBehaviorsPerDistribution = 25;
/** Active prefetch schedules one MediaTailor playback configuration may have (MediaTailor UG, quotas; not adjustable). */
const maxPrefetchSchedulesPerConfiguration = 25;

/** The table of service rules the deploy check applies. Add a row when a construct meets a new rule. */
export const serviceRules: ServiceRule[] = [
  {
    id: 'lambda-url-dual-permission',
    rule: 'CloudFront in front of an AWS_IAM Function URL needs lambda:InvokeFunctionUrl and lambda:InvokeFunction (InvokedViaFunctionUrl true), both scoped by AWS:SourceArn to the distribution',
    docs: [
      'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html',
    ],
    kind: 'check',
    check: checkFunctionUrlDualPermission,
  },
  {
    id: 'lambda-url-oac-needs-iam-auth',
    rule: 'a Function URL signed by an origin access control of type lambda uses AuthType AWS_IAM',
    docs: ['https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html'],
    kind: 'check',
    check: (model) => functionUrlOrigins(model).filter((origin) => origin.oac?.originType === 'lambda' && authTypeOf(model, origin.url) !== 'AWS_IAM').map((origin) => ({
      logicalId: origin.url,
      message: `origin ${origin.originId} of ${origin.distribution} signs with OAC ${origin.oac!.logicalId} but the Function URL's AuthType is ${authTypeOf(model, origin.url)}, not AWS_IAM`,
    })),
  },
  {
    id: 'lambda-url-oac-no-body-methods',
    rule: 'no cache behavior in front of an OAC-signed Function URL accepts POST or PUT: Lambda needs the client to send x-amz-content-sha256 for a body',
    docs: ['https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html'],
    kind: 'check',
    check: checkNoBodyMethodsThroughOac,
  },
  {
    id: 'cloudfront-function-runtime-and-size',
    rule: `a CloudFront Function runs on cloudfront-js-2.0 and its code is at most ${MAX_FUNCTION_SIZE_BYTES} bytes`,
    docs: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html',
    ],
    kind: 'check',
    check: (model) => logicalIdsOfType(model.template, 'AWS::CloudFront::Function').flatMap((logicalId) => {
      const runtime = (model.resolver.resolveProperty(logicalId, 'FunctionConfig') as Record<string, Resolved>).Runtime;
      const bytes = Buffer.byteLength(String(model.resolver.resolveProperty(logicalId, 'FunctionCode')), 'utf8');
      return [
        ...(runtime === 'cloudfront-js-2.0' ? [] : [{ logicalId, message: `runtime is ${String(runtime)}, not cloudfront-js-2.0` }]),
        ...(bytes <= MAX_FUNCTION_SIZE_BYTES ? [] : [{ logicalId, message: `code is ${bytes} bytes, more than ${MAX_FUNCTION_SIZE_BYTES}` }]),
      ];
    }),
  },
  {
    id: 'viewer-response-not-run-for-errors',
    rule: 'CloudFront does not run a viewer-response function when the origin answers 400 or higher: such a function may act only on responses below 400',
    docs: ['https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html'],
    kind: 'documented',
    whyNotChecked: 'whether a function relies on seeing an error response is a property of its code paths, not of the template; the construct tests run each viewer-response function on the responses it must handle',
  },
  {
    id: 'cloudfront-behaviors-per-distribution',
    rule: `a distribution has at most ${maxCacheBehaviorsPerDistribution} cache behaviors (CloudFront's default quota; raise it before deploying more)`,
    docs: ['https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html'],
    kind: 'check',
    check: (model) => logicalIdsOfType(model.template, 'AWS::CloudFront::Distribution').flatMap((distribution) => {
      const count = behaviorsOf(model, distribution).length - 1; // the default behavior does not count
      return count <= maxCacheBehaviorsPerDistribution ? [] : [{ logicalId: distribution, message: `${count} cache behaviors, more than the default quota of ${maxCacheBehaviorsPerDistribution}` }];
    }),
  },
  {
    id: 'caching-disabled-cache-key',
    rule: 'a cache policy with caching disabled (MaxTTL 0, so every TTL 0) enables neither gzip nor brotli and puts no header, cookie or query string in the cache key: CloudFront refuses it ("... is invalid for policy with caching disabled")',
    docs: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cache-key-understand-cache-policy.html',
      'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ParametersInCacheKeyAndForwardedToOrigin.html',
    ],
    kind: 'check',
    check: (model) => logicalIdsOfType(model.template, 'AWS::CloudFront::CachePolicy').flatMap((logicalId) => {
      const config = model.resolver.resolveProperty(logicalId, 'CachePolicyConfig') as Record<string, Resolved>;
      if (Number(config.MaxTTL) !== 0) return [];
      const key = config.ParametersInCacheKeyAndForwardedToOrigin as CacheKeySettings;
      const refused = [
        ...(key.EnableAcceptEncodingGzip === true ? ['EnableAcceptEncodingGzip true'] : []),
        ...(key.EnableAcceptEncodingBrotli === true ? ['EnableAcceptEncodingBrotli true'] : []),
        ...(key.HeadersConfig?.HeaderBehavior !== 'none' ? [`HeaderBehavior ${String(key.HeadersConfig?.HeaderBehavior)}`] : []),
        ...(key.CookiesConfig?.CookieBehavior !== 'none' ? [`CookieBehavior ${String(key.CookiesConfig?.CookieBehavior)}`] : []),
        ...(key.QueryStringsConfig?.QueryStringBehavior !== 'none' ? [`QueryStringBehavior ${String(key.QueryStringsConfig?.QueryStringBehavior)}`] : []),
      ];
      return refused.length === 0 ? [] : [{ logicalId, message: `MaxTTL is 0 (caching disabled) but the policy sets ${refused.join(', ')}` }];
    }),
  },
  {
    id: 'sqs-attribute-ranges',
    rule: 'an SQS queue has DelaySeconds 0-900, MessageRetentionPeriod 60-1,209,600, VisibilityTimeout 0-43,200, ReceiveMessageWaitTimeSeconds 0-20',
    docs: ['https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html'],
    kind: 'check',
    check: (model) => {
      const ranges: Record<string, [number, number]> = {
        DelaySeconds: [0, 900],
        MessageRetentionPeriod: [60, 1_209_600],
        VisibilityTimeout: [0, 43_200],
        ReceiveMessageWaitTimeSeconds: [0, 20],
      };
      return logicalIdsOfType(model.template, 'AWS::SQS::Queue').flatMap((logicalId) => Object.entries(ranges).flatMap(([attribute, [low, high]]) => {
        if (propertiesOf(model.template, logicalId)[attribute] === undefined) return [];
        const value = Number(model.resolver.resolveProperty(logicalId, attribute));
        return Number.isInteger(value) && value >= low && value <= high ? [] : [{ logicalId, message: `${attribute} is ${value}, outside ${low}-${high}` }];
      }));
    },
  },
  {
    id: 'sqs-visibility-covers-function-timeout',
    rule: "a queue that feeds a Lambda function has a visibility timeout at least the function's timeout: Lambda refuses the event source mapping otherwise",
    docs: ['https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html'],
    kind: 'check',
    check: checkQueueVisibilityCoversFunction,
  },
  {
    id: 'mediatailor-prefetch-schedules-per-configuration',
    rule: `at most ${maxPrefetchSchedulesPerConfiguration} active prefetch schedules per MediaTailor playback configuration (not adjustable)`,
    docs: ['https://docs.aws.amazon.com/mediatailor/latest/ug/quotas.html'],
    kind: 'check',
    check: (model) => {
      const perConfiguration = new Map<string, string[]>();
      for (const logicalId of logicalIdsOfType(model.template, 'AWS::MediaTailor::PrefetchSchedule')) {
        const configuration = String(model.resolver.resolveProperty(logicalId, 'PlaybackConfigurationName'));
        perConfiguration.set(configuration, [...(perConfiguration.get(configuration) ?? []), logicalId]);
      }
      const crowded = [...perConfiguration.entries()].filter(([, schedules]) => schedules.length > maxPrefetchSchedulesPerConfiguration);
      return crowded.map(([configuration, schedules]) => ({
        logicalId: schedules[maxPrefetchSchedulesPerConfiguration],
        message: `playback configuration ${configuration} gets ${schedules.length} prefetch schedules, more than ${maxPrefetchSchedulesPerConfiguration}`,
      }));
    },
  },
  {
    id: 'medialive-no-udp-input',
    rule: 'a MediaLive input is not UDP_PUSH: MediaLive does not take UDP input, senders push RTP (RTP_PUSH)',
    docs: ['https://docs.aws.amazon.com/medialive/latest/ug/setup-uss-rtp-push.html'],
    kind: 'check',
    check: (model) => logicalIdsOfType(model.template, 'AWS::MediaLive::Input')
      .filter((logicalId) => propertiesOf(model.template, logicalId).Type !== undefined && model.resolver.resolveProperty(logicalId, 'Type') === 'UDP_PUSH')
      .map((logicalId) => ({ logicalId, message: 'input Type is UDP_PUSH; use RTP_PUSH' })),
  },
];

/** Every violation of the checkable rules, as "<rule id>: <resource>: <message>". */
export async function serviceRuleViolations(source: TemplateSource | IamModel, rules: ServiceRule[] = serviceRules): Promise<string[]> {
  const model = IamModel.of(source);
  const lines: string[] = [];
  for (const row of rules) {
    if (row.kind !== 'check') continue;
    for (const violation of await row.check(model)) lines.push(`${row.id}: ${violation.logicalId}: ${violation.message} (${row.docs[0]})`);
  }
  return lines;
}

/** Another distribution of the same account, for the "scoped to this distribution" half of a rule. */
const foreignDistributionArn = distributionArn('EOTHERDISTRIBUTION');

async function checkFunctionUrlDualPermission(model: IamModel): Promise<RuleViolation[]> {
  const violations: RuleViolation[] = [];
  for (const origin of functionUrlOrigins(model).filter((candidate) => authTypeOf(model, candidate.url) === 'AWS_IAM')) {
    const sourceArn = distributionArnOf(model, origin.distribution);
    const functionArn = String(model.resolver.getAtt(origin.url, 'FunctionArn', `Resources/${origin.url}`));
    const cloudfront = { service: 'cloudfront.amazonaws.com' } as const;
    // A call through the URL carries the URL's auth type (lambda:FunctionUrlAuthType) and, for the invoke it
    // leads to, lambda:InvokedViaFunctionUrl; a direct Invoke API call carries neither.
    const viaUrl = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' };
    const invokedViaUrl = { 'lambda:InvokedViaFunctionUrl': 'true' };
    const expectations: { action: string; context: Record<string, string>; expect: 'allow' | 'deny'; says: string }[] = [
      {
        action: 'lambda:InvokeFunctionUrl',
        context: { 'aws:SourceArn': sourceArn, ...viaUrl },
        expect: 'allow',
        says: `refuses CloudFront from ${origin.distribution} lambda:InvokeFunctionUrl: every request would be a 403`,
      },
      {
        action: 'lambda:InvokeFunction',
        context: { 'aws:SourceArn': sourceArn, ...invokedViaUrl },
        expect: 'allow',
        says: `refuses CloudFront from ${origin.distribution} lambda:InvokeFunction via the Function URL: every request would be a 403`,
      },
      {
        action: 'lambda:InvokeFunctionUrl',
        context: { 'aws:SourceArn': foreignDistributionArn, ...viaUrl },
        expect: 'deny',
        says: 'lets any distribution call lambda:InvokeFunctionUrl: the grant is not scoped by AWS:SourceArn',
      },
      {
        action: 'lambda:InvokeFunction',
        context: { 'aws:SourceArn': foreignDistributionArn, ...invokedViaUrl },
        expect: 'deny',
        says: 'lets any distribution call lambda:InvokeFunction: the grant is not scoped by AWS:SourceArn',
      },
      {
        action: 'lambda:InvokeFunction',
        context: { 'aws:SourceArn': sourceArn },
        expect: 'deny',
        says: 'lets CloudFront invoke the function directly: lambda:InvokeFunction lacks the InvokedViaFunctionUrl condition',
      },
    ];
    for (const expectation of expectations) {
      const request = { principal: cloudfront, action: expectation.action, resource: { arn: functionArn }, context: expectation.context };
      const { decision, explanation } = await simulate(model, request);
      if (decision !== expectation.expect) violations.push({ logicalId: origin.url, message: `the function's resource policy ${expectation.says} (${explanation})` });
    }
  }
  return violations;
}

function checkNoBodyMethodsThroughOac(model: IamModel): RuleViolation[] {
  const signed = functionUrlOrigins(model).filter((origin) => origin.oac?.originType === 'lambda' && origin.oac.signing !== 'never');
  return logicalIdsOfType(model.template, 'AWS::CloudFront::Distribution').flatMap((distribution) => behaviorsOf(model, distribution).flatMap((behavior) => {
    const origin = signed.find((candidate) => candidate.distribution === distribution && candidate.originId === behavior.targetOriginId);
    const bodyMethods = behavior.allowedMethods.filter((method) => method === 'POST' || method === 'PUT');
    return origin && bodyMethods.length > 0
      ? [{ logicalId: distribution, message: `behavior ${behavior.pathPattern} allows ${bodyMethods.join(', ')} to the OAC-signed Function URL ${origin.url}: unsigned bodies are refused by Lambda` }]
      : [];
  }));
}

function checkQueueVisibilityCoversFunction(model: IamModel): RuleViolation[] {
  return logicalIdsOfType(model.template, 'AWS::Lambda::EventSourceMapping').flatMap((mapping) => {
    const sourceArn = model.resolver.resolveProperty(mapping, 'EventSourceArn');
    const queue = logicalIdsOfType(model.template, 'AWS::SQS::Queue').find((candidate) => model.arnOf(candidate) === sourceArn);
    const functionName = model.resolver.resolveProperty(mapping, 'FunctionName');
    const target = logicalIdsOfType(model.template, 'AWS::Lambda::Function').find((candidate) => functionName === model.resolver.physicalName(candidate) || functionName === model.arnOf(candidate));
    if (!queue || !target) return [];
    const numberOr = (logicalId: string, property: string, fallback: number) => (
      propertiesOf(model.template, logicalId)[property] === undefined ? fallback : Number(model.resolver.resolveProperty(logicalId, property)));
    const visibility = numberOr(queue, 'VisibilityTimeout', 30); // SQS default
    const timeout = numberOr(target, 'Timeout', 3); // Lambda default
    return visibility >= timeout ? [] : [{ logicalId: mapping, message: `queue ${queue} has a ${visibility} s visibility timeout, less than the ${timeout} s timeout of ${target}` }];
  });
}

function functionUrlOrigins(model: IamModel): FunctionUrlOrigin[] {
  const urlByHost = new Map(logicalIdsOfType(model.template, 'AWS::Lambda::Url').map((url) => [new URL(model.resolver.getAtt(url, 'FunctionUrl', `Resources/${url}`)).host, url]));
  const oacById = new Map(logicalIdsOfType(model.template, 'AWS::CloudFront::OriginAccessControl').map((oac) => [model.resolver.ref(oac, `Resources/${oac}`), oac]));
  return logicalIdsOfType(model.template, 'AWS::CloudFront::Distribution').flatMap((distribution) => {
    const origins = resolvedDistributionPart(model, distribution, 'Origins') as Record<string, Resolved>[] | undefined;
    return (origins ?? []).flatMap((origin) => {
      const url = urlByHost.get(String(origin.DomainName));
      if (!url) return [];
      const oacLogicalId = origin.OriginAccessControlId === undefined ? undefined : oacById.get(String(origin.OriginAccessControlId));
      const oacConfig = oacLogicalId ? model.resolver.resolveProperty(oacLogicalId, 'OriginAccessControlConfig') as Record<string, Resolved> : undefined;
      return [{
        distribution,
        originId: String(origin.Id),
        url,
        oac: oacLogicalId && oacConfig
          ? { logicalId: oacLogicalId, originType: String(oacConfig.OriginAccessControlOriginType), signing: String(oacConfig.SigningBehavior) }
          : undefined,
      }];
    });
  });
}

function behaviorsOf(model: IamModel, distribution: string): { pathPattern: string; targetOriginId: string; allowedMethods: string[] }[] {
  const describe = (behavior: Record<string, Resolved>, pathPattern: string) => ({
    pathPattern,
    targetOriginId: String(behavior.TargetOriginId),
    allowedMethods: ((behavior.AllowedMethods as string[] | undefined) ?? ['GET', 'HEAD']).map(String),
  });
  const defaultBehavior = resolvedDistributionPart(model, distribution, 'DefaultCacheBehavior') as Record<string, Resolved>;
  const others = (resolvedDistributionPart(model, distribution, 'CacheBehaviors') as Record<string, Resolved>[] | undefined) ?? [];
  return [describe(defaultBehavior, 'default'), ...others.map((behavior) => describe(behavior, String(behavior.PathPattern)))];
}

/** One part of a distribution's config, resolved (the rest may hold values the rules do not need). */
function resolvedDistributionPart(model: IamModel, distribution: string, part: string): Resolved | undefined {
  const config = propertiesOf(model.template, distribution).DistributionConfig as Record<string, unknown>;
  return config[part] === undefined ? undefined : model.resolver.resolve(config[part], `Resources/${distribution}/Properties/DistributionConfig/${part}`);
}

function authTypeOf(model: IamModel, url: string): string {
  return String(model.resolver.resolveProperty(url, 'AuthType'));
}
