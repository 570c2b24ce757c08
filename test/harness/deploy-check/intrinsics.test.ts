import { TemplateResolver } from './intrinsics';
import { CfnTemplate } from './template';

const template: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'live' }, Unset: { Type: 'String' } },
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'stitch' } },
    Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
    Media: { Type: 'AWS::S3::Bucket', Properties: {} },
    Jobs: { Type: 'AWS::SQS::Queue', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Key: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: {} },
    Custom: { Type: 'Custom::Thing', Properties: {} },
    Channel: { Type: 'AWS::MediaTailor::Channel', Properties: { ChannelName: 'news' } },
    Describe: { Type: 'Custom::AWS', Properties: { Create: '{"service":"MediaTailor","action":"describeChannel","parameters":{"ChannelName":"news"}}' } },
    ListChannels: { Type: 'Custom::AWS', Properties: { Create: '{"service":"MediaTailor","action":"listChannels","parameters":{}}' } },
  },
};
const resolver = new TemplateResolver(template);

describe('TemplateResolver', () => {
  test('resolves pseudo parameters to the fixed account, region and partition', () => {
    expect(resolver.resolve({ 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }]] }, 'p'))
      .toBe('aws:eu-west-1:111111111111:amazonaws.com');
  });

  test('gives each resource type its ARN and Ref format, with names derived from logical ids', () => {
    expect(resolver.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] }, 'p')).toBe('arn:aws:lambda:eu-west-1:111111111111:function:Fn');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Named', 'Arn'] }, 'p')).toBe('arn:aws:lambda:eu-west-1:111111111111:function:stitch');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Url', 'FunctionArn'] }, 'p')).toBe('arn:aws:lambda:eu-west-1:111111111111:function:Fn');
    expect(resolver.resolve({ Ref: 'Media' }, 'p')).toBe('deploycheck-media');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Media', 'Arn'] }, 'p')).toBe('arn:aws:s3:::deploycheck-media');
    expect(resolver.resolve({ Ref: 'Jobs' }, 'p')).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/Jobs');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Jobs', 'Arn'] }, 'p')).toBe('arn:aws:sqs:eu-west-1:111111111111:Jobs');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Role', 'Arn'] }, 'p')).toBe('arn:aws:iam::111111111111:role/Role');
    expect(resolver.resolve({ Ref: 'Key' }, 'p')).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:Key-AbCdEf');
    expect(resolver.resolve({ Ref: 'Cdn' }, 'p')).toBe('ECDN');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Cdn', 'DomainName'] }, 'p')).toBe('ecdn.cloudfront.net');
  });

  test('resolves Fn::Sub with resource, attribute, pseudo and explicit variables, and keeps ${!literals}', () => {
    expect(resolver.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Cdn} ${Media.Arn} ${!Keep}' }, 'p'))
      .toBe('arn:aws:cloudfront::111111111111:distribution/ECDN arn:aws:s3:::deploycheck-media ${Keep}');
    expect(resolver.resolve({ 'Fn::Sub': ['${Prefix}/${Stage}', { Prefix: { Ref: 'Named' } }] }, 'p')).toBe('stitch/live');
  });

  test('resolves Fn::Select over Fn::Split, as CloudFront origins take a Function URL host', () => {
    expect(resolver.resolve({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Url', 'FunctionUrl'] }] }] }, 'p')).toBe('url.lambda-url.eu-west-1.on.aws');
  });

  test('knows MediaTailor channels and the playback URL a DescribeChannel custom resource returns, and nothing else of it', () => {
    expect(resolver.resolve({ Ref: 'Channel' }, 'p')).toBe('news');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Channel', 'Arn'] }, 'p')).toBe('arn:aws:mediatailor:eu-west-1:111111111111:channel/news');
    expect(resolver.resolve({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Describe', 'Outputs.0.PlaybackUrl'] }] }] }, 'p'))
      .toBe('check.channel-assembly.mediatailor.eu-west-1.amazonaws.com');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['ListChannels', 'Outputs.0.PlaybackUrl'] }, 'p')).toThrow('Resources/ListChannels: no ChannelName in its DescribeChannel call');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Describe', 'Arn'] }, 'p')).toThrow('no rule for Fn::GetAtt Describe.Arn');
  });

  test('drops AWS::NoValue from objects and lists', () => {
    expect(resolver.resolve({ A: { Ref: 'AWS::NoValue' }, B: ['x', { Ref: 'AWS::NoValue' }] }, 'p')).toEqual({ B: ['x'] });
  });

  test('throws with the path for an intrinsic it does not model', () => {
    expect(() => resolver.resolve({ Outer: [{ 'Fn::If': ['C', 'a', 'b'] }] }, 'Resources/X/Properties')).toThrow('Resources/X/Properties/Outer/0/Fn::If: the deploy check does not resolve Fn::If');
  });

  test('throws for a resource type or attribute without a rule, and for a parameter without a default', () => {
    expect(() => resolver.resolve({ Ref: 'Custom' }, 'p')).toThrow('no resolution rule for Custom::Thing (Custom)');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Media', 'WebsiteURL'] }, 'p')).toThrow('no rule for Fn::GetAtt Media.WebsiteURL');
    expect(() => resolver.resolve({ Ref: 'Unset' }, 'p')).toThrow("parameter 'Unset' has no default");
    expect(() => resolver.resolve({ Ref: 'Missing' }, 'p')).toThrow("the template has no resource 'Missing'");
  });
});
