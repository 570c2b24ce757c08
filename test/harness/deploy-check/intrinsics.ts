import { CfnTemplate } from './template';

/** The fixed environment every template is resolved in. */
export const checkEnvironment = {
  account: '111111111111',
  region: 'eu-west-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  stackName: 'DeployCheck',
} as const;

const { account, region, partition, urlSuffix, stackName } = checkEnvironment;

/** A resolved value: what CloudFormation would pass to the service. */
export type Resolved = string | number | boolean | null | Resolved[] | { [key: string]: Resolved };

/** Marks AWS::NoValue while resolving: the property or list item disappears. */
const noValue = Symbol('AWS::NoValue');
type Resolving = Resolved | typeof noValue;

const pseudoParameters: Record<string, string> = {
  'AWS::AccountId': account,
  'AWS::Region': region,
  'AWS::Partition': partition,
  'AWS::URLSuffix': urlSuffix,
  'AWS::StackName': stackName,
  'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
};

/**
 * What `Ref` and `Fn::GetAtt` return per resource type, from the "Return values" section of each type's page in
 * the CloudFormation template reference (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/).
 * A physical name is the resource's own name property when the template sets one, else derived from its logical id.
 */
interface TypeRule {
  /** The property that names the resource, if the template may set it. */
  readonly nameProperty?: string;
  /** Turns a logical id into the name CloudFormation would generate (deterministic here). */
  readonly generatedName?: (logicalId: string) => string;
  readonly ref: (name: string, logicalId: string, resolver: TemplateResolver) => string;
  readonly attributes: Record<string, (name: string, logicalId: string, resolver: TemplateResolver) => string>;
}

const lambdaArn = (name: string): string => `arn:${partition}:lambda:${region}:${account}:function:${name}`;
const bucketArn = (name: string): string => `arn:${partition}:s3:::${name}`;
const queueArn = (name: string): string => `arn:${partition}:sqs:${region}:${account}:${name}`;

/** A MediaPackage v2 ARN under the channel group path `path` (`<group>`, `<group>/channel/<channel>`, ...). */
const mediaPackageV2Arn = (path: string): string => `arn:${partition}:mediapackagev2:${region}:${account}:channelGroup/${path}`;
/** The `<group>/channel/<channel>` path of a MediaPackage v2 resource that names its group and channel. */
const mediaPackageV2ChannelPath = (logicalId: string, resolver: TemplateResolver): string =>
  `${String(resolver.resolveProperty(logicalId, 'ChannelGroupName'))}/channel/${String(resolver.resolveProperty(logicalId, 'ChannelName'))}`;
/** A MediaLive id: digits, derived from the logical id (MediaLive channel, input and security group ids are numeric). */
const mediaLiveIdFor = (logicalId: string): string =>
  String(Array.from(logicalId).reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 9_000_000, 7) + 1_000_000);
const mediaLiveArn = (kind: string, id: string): string => `arn:${partition}:medialive:${region}:${account}:${kind}:${id}`;
/** A deterministic 32-digit hex stand-in for the GUIDs and hashes MediaPackage v1 puts in ARNs and endpoint paths. */
const mediaPackageV1Hash = (logicalId: string): string =>
  Array.from({ length: 4 }, (_, round) => Array.from(logicalId).reduce((hash, char) => (hash * 33 + char.charCodeAt(0) + round) % 0xffffffff, 5381)
    .toString(16).padStart(8, '0')).join('');
/** MediaPackage v1 serves every endpoint of an account and Region from one host. */
const mediaPackageV1Host = `c0ffee0123456789.mediapackage.${region}.${urlSuffix}`;
/** The URL of a v1 endpoint: the manifest of its package type; CloudFormation returns none for a CMAF endpoint. */
function mediaPackageV1EndpointUrl(logicalId: string, resolver: TemplateResolver): string {
  const properties = resolver.template.Resources[logicalId].Properties ?? {};
  const file = ([['HlsPackage', '.m3u8'], ['DashPackage', '.mpd'], ['MssPackage', '.ism/Manifest']] as const)
    .find(([property]) => properties[property] !== undefined)?.[1];
  const manifestName = properties.ManifestName === undefined ? 'index' : String(resolver.resolveProperty(logicalId, 'ManifestName'));
  return file ? `https://${mediaPackageV1Host}/out/v1/${mediaPackageV1Hash(logicalId)}/${manifestName}${file}` : '';
}

/** The custom event bus rule `logicalId` is on; undefined for the default bus. */
const customEventBusOf = (logicalId: string, resolver: TemplateResolver): string | undefined => {
  const bus = resolver.template.Resources[logicalId].Properties?.EventBusName === undefined ? undefined : String(resolver.resolveProperty(logicalId, 'EventBusName'));
  return bus === 'default' ? undefined : bus;
};

/** The id the check gives the template distribution `logicalId` (CloudFront ids are E + 13 characters). */
export function distributionIdFor(logicalId: string): string {
  return `E${logicalId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 13)}`;
}

/** The id the check gives key value store `logicalId` (CloudFront makes a UUID). */
function keyValueStoreIdFor(logicalId: string): string {
  const hex = Buffer.from(logicalId).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const typeRules: Record<string, TypeRule> = {
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    ref: (name) => name,
    attributes: { Arn: (name) => lambdaArn(name) },
  },
  'AWS::Lambda::Url': {
    ref: (_name, logicalId) => `${logicalId}-url`,
    attributes: {
      FunctionArn: (_name, logicalId, resolver) => resolver.resolveProperty(logicalId, 'TargetFunctionArn') as string,
      FunctionUrl: (_name, logicalId) => `https://${logicalId.toLowerCase()}.lambda-url.${region}.on.aws/`,
    },
  },
  'AWS::Lambda::Permission': { ref: (_name, logicalId) => `${logicalId}-statement`, attributes: {} },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    ref: (name) => name,
    attributes: {
      Arn: (name) => `arn:${partition}:iam::${account}:role/${name}`,
      RoleId: (_name, logicalId) => `AROA${logicalId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 17)}`,
    },
  },
  'AWS::IAM::Policy': { nameProperty: 'PolicyName', ref: (name) => name, attributes: {} },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    ref: (name) => `arn:${partition}:iam::${account}:policy/${name}`,
    attributes: { PolicyArn: (name) => `arn:${partition}:iam::${account}:policy/${name}` },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    generatedName: (logicalId) => `${stackName}-${logicalId}`.toLowerCase(),
    ref: (name) => name,
    attributes: {
      Arn: (name) => bucketArn(name),
      DomainName: (name) => `${name}.s3.${urlSuffix}`,
      RegionalDomainName: (name) => `${name}.s3.${region}.${urlSuffix}`,
    },
  },
  'AWS::S3::BucketPolicy': { ref: (_name, logicalId) => `${logicalId}-policy`, attributes: {} },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: (name) => `https://sqs.${region}.${urlSuffix}/${account}/${name}`,
    attributes: {
      Arn: (name) => queueArn(name),
      QueueName: (name) => name,
      QueueUrl: (name) => `https://sqs.${region}.${urlSuffix}/${account}/${name}`,
    },
  },
  'AWS::SQS::QueuePolicy': { ref: (_name, logicalId) => `${logicalId}-policy`, attributes: {} },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
    ref: (name) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
    attributes: { Id: (name) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf` },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    ref: (name) => name,
    attributes: { Arn: (name) => `arn:${partition}:logs:${region}:${account}:log-group:${name}:*` },
  },
  'AWS::CloudFront::Distribution': {
    generatedName: distributionIdFor,
    ref: (name) => name,
    attributes: { Id: (name) => name, DomainName: (name) => `${name.toLowerCase()}.cloudfront.net` },
  },
  'AWS::CloudFront::OriginAccessControl': { generatedName: (logicalId) => `OAC${distributionIdFor(logicalId)}`, ref: (name) => name, attributes: { Id: (name) => name } },
  'AWS::CloudFront::CachePolicy': { ref: (_name, logicalId) => `cache-policy-${logicalId}`, attributes: { Id: (_name, logicalId) => `cache-policy-${logicalId}` } },
  'AWS::CloudFront::OriginRequestPolicy': { ref: (_name, logicalId) => `origin-request-policy-${logicalId}`, attributes: { Id: (_name, logicalId) => `origin-request-policy-${logicalId}` } },
  'AWS::CloudFront::ResponseHeadersPolicy': { ref: (_name, logicalId) => `response-headers-policy-${logicalId}`, attributes: { Id: (_name, logicalId) => `response-headers-policy-${logicalId}` } },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-keyvaluestore.html (Ref: the name; the ARN ends in the store's id)
  'AWS::CloudFront::KeyValueStore': {
    nameProperty: 'Name',
    ref: (name) => name,
    attributes: {
      Arn: (_name, logicalId) => `arn:${partition}:cloudfront::${account}:key-value-store/${keyValueStoreIdFor(logicalId)}`,
      Id: (_name, logicalId) => keyValueStoreIdFor(logicalId),
      Status: () => 'READY',
    },
  },
  'AWS::CloudFront::Function': {
    nameProperty: 'Name',
    ref: (name) => `arn:${partition}:cloudfront::${account}:function/${name}`,
    attributes: { FunctionARN: (name) => `arn:${partition}:cloudfront::${account}:function/${name}`, Stage: () => 'LIVE' },
  },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_MediaPackageV2.html (Ref: the ARN)
  'AWS::MediaPackageV2::ChannelGroup': {
    nameProperty: 'ChannelGroupName',
    ref: (name) => mediaPackageV2Arn(name),
    attributes: { Arn: (name) => mediaPackageV2Arn(name), EgressDomain: (name) => `${name.toLowerCase()}.egress.mediapackagev2.${region}.${urlSuffix}` },
  },
  'AWS::MediaPackageV2::Channel': {
    nameProperty: 'ChannelName',
    ref: (_name, logicalId, resolver) => mediaPackageV2Arn(mediaPackageV2ChannelPath(logicalId, resolver)),
    attributes: { Arn: (_name, logicalId, resolver) => mediaPackageV2Arn(mediaPackageV2ChannelPath(logicalId, resolver)) },
  },
  'AWS::MediaPackageV2::ChannelPolicy': { ref: (_name, logicalId, resolver) => mediaPackageV2ChannelPath(logicalId, resolver), attributes: {} },
  'AWS::MediaPackageV2::OriginEndpoint': {
    nameProperty: 'OriginEndpointName',
    ref: (name, logicalId, resolver) => mediaPackageV2Arn(`${mediaPackageV2ChannelPath(logicalId, resolver)}/originEndpoint/${name}`),
    attributes: { Arn: (name, logicalId, resolver) => mediaPackageV2Arn(`${mediaPackageV2ChannelPath(logicalId, resolver)}/originEndpoint/${name}`) },
  },
  'AWS::MediaPackageV2::OriginEndpointPolicy': {
    ref: (_name, logicalId, resolver) => `${mediaPackageV2ChannelPath(logicalId, resolver).replace('/channel/', '|')}|${String(resolver.resolveProperty(logicalId, 'OriginEndpointName'))}`,
    attributes: {},
  },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_MediaPackage.html (Ref: the id; the
  // ARN carries a generated GUID; a CMAF endpoint's Url is empty: aws-cloudformation/cloudformation-coverage-roadmap#767)
  'AWS::MediaPackage::Channel': {
    nameProperty: 'Id',
    ref: (id) => id,
    attributes: { Arn: (_id, logicalId) => `arn:${partition}:mediapackage:${region}:${account}:channels/${mediaPackageV1Hash(logicalId)}` },
  },
  'AWS::MediaPackage::OriginEndpoint': {
    nameProperty: 'Id',
    ref: (id) => id,
    attributes: {
      Arn: (_id, logicalId) => `arn:${partition}:mediapackage:${region}:${account}:origin_endpoints/${mediaPackageV1Hash(logicalId)}`,
      Url: (_id, logicalId, resolver) => mediaPackageV1EndpointUrl(logicalId, resolver),
    },
  },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_MediaLive.html (Ref: the id)
  'AWS::MediaLive::Channel': { generatedName: mediaLiveIdFor, ref: (id) => id, attributes: { Arn: (id) => mediaLiveArn('channel', id) } },
  'AWS::MediaLive::Input': { generatedName: mediaLiveIdFor, ref: (id) => id, attributes: { Arn: (id) => mediaLiveArn('input', id), Id: (id) => id } },
  'AWS::MediaLive::InputSecurityGroup': { generatedName: mediaLiveIdFor, ref: (id) => id, attributes: { Arn: (id) => mediaLiveArn('inputSecurityGroup', id) } },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', ref: (name) => name, attributes: { Arn: (name) => `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}` } },
  'AWS::MediaTailor::Channel': {
    nameProperty: 'ChannelName',
    ref: (name) => name,
    attributes: { Arn: (name) => `arn:${partition}:mediatailor:${region}:${account}:channel/${name}` },
  },
  // AwsCustomResource returns fields of the SDK response; the only one our stacks read is a channel output's playback
  // URL (DescribeChannel), which has the documented channel-assembly form
  // (https://docs.aws.amazon.com/mediatailor/latest/ug/time-shift-with-cdn.html)
  'Custom::AWS': {
    ref: (_name, logicalId) => `${logicalId}-custom-resource`,
    attributes: {
      'Outputs.0.PlaybackUrl': (_name, logicalId, resolver) => {
        const call = JSON.parse(resolver.resolveProperty(logicalId, 'Create') as string) as { action?: string; parameters?: { ChannelName?: string } };
        const channelName = call.action === 'describeChannel' ? call.parameters?.ChannelName : undefined;
        if (!channelName) throw new Error(`Resources/${logicalId}: no ChannelName in its DescribeChannel call`);
        return `https://check.channel-assembly.mediatailor.${region}.${urlSuffix}/v1/channel/${channelName}/index.m3u8`;
      },
    },
  },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html: a rule on a
  // custom bus is named `<bus>/<rule>` in its ARN and `<bus>|<rule>` by Ref
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    ref: (name, logicalId, resolver) => {
      const bus = customEventBusOf(logicalId, resolver);
      return bus === undefined ? name : `${bus}|${name}`;
    },
    attributes: {
      Arn: (name, logicalId, resolver) => {
        const bus = customEventBusOf(logicalId, resolver);
        return `arn:${partition}:events:${region}:${account}:rule/${bus === undefined ? '' : `${bus}/`}${name}`;
      },
    },
  },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    ref: (name) => name,
    attributes: { Arn: (name) => `arn:${partition}:events:${region}:${account}:event-bus/${name}`, Name: (name) => name },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    ref: (name) => `arn:${partition}:sns:${region}:${account}:${name}`,
    attributes: { TopicArn: (name) => `arn:${partition}:sns:${region}:${account}:${name}`, TopicName: (name) => name },
  },
};

/** The ARN of a CloudFront distribution with id `id` in the check account. */
export function distributionArn(id: string): string {
  return `arn:${partition}:cloudfront::${account}:distribution/${id}`;
}

/** The ARN of template distribution `logicalId` as CloudFront sends it in `aws:SourceArn`, for IAM tables. */
export function templateDistributionArn(logicalId: string): string {
  return distributionArn(distributionIdFor(logicalId));
}

/**
 * Resolves CloudFormation intrinsics in a template to the values a deploy in {@link checkEnvironment} would
 * produce. Anything it cannot resolve exactly throws with the path of the value: it never guesses.
 */
export class TemplateResolver {
  constructor(public readonly template: CfnTemplate) {}

  /** `value` with every intrinsic resolved; `path` names it in error messages. */
  public resolve(value: unknown, path: string): Resolved {
    const resolved = this.resolveValue(value, path);
    if (resolved === noValue) throw new Error(`${path}: AWS::NoValue where a value is required`);
    return resolved;
  }

  /** A resolved property of resource `logicalId`. */
  public resolveProperty(logicalId: string, property: string): Resolved {
    const resource = this.resourceOf(logicalId, `Resources/${logicalId}`);
    return this.resolve(resource.Properties?.[property], `Resources/${logicalId}/Properties/${property}`);
  }

  /** The physical name the check gives resource `logicalId`: its name property when set, else derived from the logical id. */
  public physicalName(logicalId: string): string {
    const resource = this.resourceOf(logicalId, `Resources/${logicalId}`);
    const rule = this.ruleOf(logicalId, `Resources/${logicalId}`);
    const declared = rule.nameProperty ? resource.Properties?.[rule.nameProperty] : undefined;
    if (declared !== undefined) return String(this.resolve(declared, `Resources/${logicalId}/Properties/${rule.nameProperty}`));
    return rule.generatedName ? rule.generatedName(logicalId) : logicalId;
  }

  /** What `{ Ref: logicalId }` resolves to. */
  public ref(logicalId: string, path: string): string {
    if (pseudoParameters[logicalId] !== undefined) return pseudoParameters[logicalId];
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (parameter.Default === undefined) throw new Error(`${path}: parameter '${logicalId}' has no default to resolve to`);
      return String(parameter.Default);
    }
    return this.ruleOf(logicalId, path).ref(this.physicalName(logicalId), logicalId, this);
  }

  /** What `{ 'Fn::GetAtt': [logicalId, attribute] }` resolves to. */
  public getAtt(logicalId: string, attribute: string, path: string): string {
    const rule = this.ruleOf(logicalId, path);
    const attributeOf = rule.attributes[attribute];
    if (!attributeOf) {
      throw new Error(`${path}: no rule for Fn::GetAtt ${logicalId}.${attribute} (${this.template.Resources[logicalId].Type}); add it to the deploy check's type rules`);
    }
    return attributeOf(this.physicalName(logicalId), logicalId, this);
  }

  private resourceOf(logicalId: string, path: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`${path}: the template has no resource '${logicalId}'`);
    return resource;
  }

  private ruleOf(logicalId: string, path: string): TypeRule {
    const type = this.resourceOf(logicalId, path).Type;
    const rule = typeRules[type];
    if (!rule) throw new Error(`${path}: no resolution rule for ${type} (${logicalId}); add it to the deploy check's type rules`);
    return rule;
  }

  private resolveValue(value: unknown, path: string): Resolving {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (value === undefined) throw new Error(`${path}: missing value`);
    if (Array.isArray(value)) {
      return value.map((item, index) => this.resolveValue(item, `${path}/${index}`)).filter((item): item is Resolved => item !== noValue);
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.resolveIntrinsic(entries[0][0], entries[0][1], `${path}/${entries[0][0]}`);
    }
    const resolved: Record<string, Resolved> = {};
    for (const [key, item] of entries) {
      const itemValue = this.resolveValue(item, `${path}/${key}`);
      if (itemValue !== noValue) resolved[key] = itemValue;
    }
    return resolved;
  }

  private resolveIntrinsic(name: string, argument: unknown, path: string): Resolving {
    switch (name) {
      case 'Ref':
        if (argument === 'AWS::NoValue') return noValue;
        return this.ref(this.stringOf(argument, path), path);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/);
        return this.getAtt(this.stringOf(logicalId, path), this.stringOf(this.resolve(attribute, `${path}/1`), path), path);
      }
      case 'Fn::Join': {
        const [separator, items] = this.pairOf(argument, path);
        const list = this.resolve(items, `${path}/1`);
        if (!Array.isArray(list)) throw new Error(`${path}: Fn::Join needs a list, got ${JSON.stringify(list)}`);
        return list.map((item, index) => this.scalarOf(item, `${path}/1/${index}`)).join(this.stringOf(separator, path));
      }
      case 'Fn::Select': {
        const [index, items] = this.pairOf(argument, path);
        const list = this.resolve(items, `${path}/1`);
        const position = Number(this.resolve(index, `${path}/0`));
        if (!Array.isArray(list) || !Number.isInteger(position) || position < 0 || position >= list.length) {
          throw new Error(`${path}: Fn::Select index ${position} outside ${JSON.stringify(list)}`);
        }
        return list[position];
      }
      case 'Fn::Split': {
        const [separator, source] = this.pairOf(argument, path);
        return this.stringOf(this.resolve(source, `${path}/1`), path).split(this.stringOf(separator, path));
      }
      case 'Fn::Sub':
        return this.substitute(argument, path);
      default:
        throw new Error(`${path}: the deploy check does not resolve ${name}`);
    }
  }

  private substitute(argument: unknown, path: string): string {
    const [text, variables] = Array.isArray(argument) ? [argument[0], argument[1] ?? {}] : [argument, {}];
    const names = variables as Record<string, unknown>;
    return this.stringOf(text, path).replace(/\$\{(!?)([^}]*)\}/g, (_whole, literal: string, expression: string) => {
      if (literal) return `\${${expression}}`;
      if (Object.prototype.hasOwnProperty.call(names, expression)) return this.scalarOf(this.resolve(names[expression], `${path}/1/${expression}`), path);
      const [logicalId, attribute] = expression.split(/\.(.*)/);
      return attribute ? this.getAtt(logicalId, attribute, path) : this.ref(logicalId, path);
    });
  }

  private pairOf(argument: unknown, path: string): [unknown, unknown] {
    if (!Array.isArray(argument) || argument.length !== 2) throw new Error(`${path}: expected a two-item list, got ${JSON.stringify(argument)}`);
    return [argument[0], argument[1]];
  }

  private stringOf(value: unknown, path: string): string {
    if (typeof value !== 'string') throw new Error(`${path}: expected a string, got ${JSON.stringify(value)}`);
    return value;
  }

  private scalarOf(value: Resolved, path: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new Error(`${path}: expected a scalar, got ${JSON.stringify(value)}`);
  }
}
