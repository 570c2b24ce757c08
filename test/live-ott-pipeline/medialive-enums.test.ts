import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { checkMediaLiveEnums, EnumCheck } from './medialive-enums';
import { largestV1Pipeline, maximalPipeline, pipelineStack } from './pipeline-stack';
import { ChannelClass, ChannelLogLevel, EncodingProfile, LiveInput, LiveOttPipeline, SourceEndBehavior, SrtEncryption, VideoCodec } from '../../src';

const mediaLiveTypes = ['AWS::MediaLive::Channel', 'AWS::MediaLive::Input', 'AWS::MediaLive::InputSecurityGroup'];

/** The enum check of every MediaLive resource in `template`. */
function checkTemplate(template: Template): EnumCheck {
  const results = mediaLiveTypes.flatMap((type) => Object.values(template.findResources(type))
    .map((resource) => checkMediaLiveEnums(type, resource.Properties)));
  return { problems: results.flatMap((result) => result.problems), checked: results.flatMap((result) => result.checked) };
}

const stackFor = () => new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
const cidrs = ['203.0.113.0/24'];
/** Every input type on a STANDARD channel. */
const everyInput: Record<string, (stack: Stack) => LiveInput> = {
  RTP_PUSH: () => LiveInput.rtpPush({ allowedCidrs: cidrs }),
  RTMP_PUSH: () => LiveInput.rtmpPush({ allowedCidrs: cidrs, streamNames: ['live/a', 'live/b'] }),
  RTMP_PULL: () => LiveInput.rtmpPull({ urls: ['rtmp://a.example.com/live/s', 'rtmp://b.example.com/live/s'] }),
  URL_PULL: () => LiveInput.urlPull({ urls: ['https://a.example.com/i.m3u8', 'https://b.example.com/i.m3u8'] }),
  MP4_FILE: () => LiveInput.mp4File({ urls: ['https://a.example.com/f.mp4', 'https://b.example.com/f.mp4'], sourceEndBehavior: SourceEndBehavior.CONTINUE }),
  TS_FILE: () => LiveInput.tsFile({ urls: ['https://a.example.com/f.ts', 'https://b.example.com/f.ts'] }),
  MEDIACONNECT: () => LiveInput.mediaConnect({ flowArns: ['arn:aws:mediaconnect:eu-west-1:111111111111:flow:1-a:f', 'arn:aws:mediaconnect:eu-west-1:111111111111:flow:1-b:g'] }),
  INPUT_DEVICE: () => LiveInput.inputDevice({ deviceIds: ['hd-0123456789abcdef01234567', 'hd-76543210fedcba9876543210'] }),
  SRT_CALLER: () => LiveInput.srtCaller({ sources: [{ address: 'a.example.com', port: 9000 }, { address: 'b.example.com', port: 9000 }] }),
  SRT_LISTENER: (stack) => LiveInput.srtListener({ allowedCidrs: cidrs, decryption: { algorithm: SrtEncryption.AES192, passphrase: secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'srt') } }),
};

describe('MediaLive enum values against @aws-sdk/client-medialive', () => {
  test.each(Object.keys(everyInput))('%s: every member exists in the API model and every enum value is one the SDK exports', (type) => {
    const stack = stackFor();
    new LiveOttPipeline(stack, 'Live', { input: everyInput[type](stack), channelClass: ChannelClass.STANDARD });
    const { problems, checked } = checkTemplate(Template.fromStack(stack));
    expect(problems).toEqual([]);
    expect(checked).toContain(`AWS::MediaLive::Input.Type = ${type} (InputType)`);
    expect(checked).toContain('AWS::MediaLive::Channel.ChannelClass = STANDARD (ChannelClass)');
  });

  test.each([
    ['MP4_FILE', (bucket: s3.IBucket) => LiveInput.mp4File({ objects: [{ bucket, key: 'a.mp4' }, { bucket, key: 'b.mp4' }] })],
    ['TS_FILE', () => LiveInput.tsFile({ urls: ['s3ssl://live-sources/a.ts', 's3://live-sources/b.m2ts'] })],
    ['URL_PULL', (bucket: s3.IBucket) => LiveInput.urlPull({ objects: [{ bucket, key: 'a/index.m3u8' }, { bucket, key: 'b/index.m3u8' }] })],
  ] as Array<[string, (bucket: s3.IBucket) => LiveInput]>)('%s from S3: every member exists in the API model and every enum value is one the SDK exports', (type, input) => {
    const stack = stackFor();
    new LiveOttPipeline(stack, 'Live', { input: input(new s3.Bucket(stack, 'Sources')), channelClass: ChannelClass.STANDARD });
    const { problems, checked } = checkTemplate(Template.fromStack(stack));
    expect(problems).toEqual([]);
    expect(checked).toContain(`AWS::MediaLive::Input.Type = ${type} (InputType)`);
  });

  test.each([
    ['HD_1080P HEVC', () => EncodingProfile.hd1080p({ codec: VideoCodec.HEVC })],
    ['HD_1080P', () => EncodingProfile.hd1080p()],
    ['HD_720P', () => EncodingProfile.hd720p()],
    ['SD_540P', () => EncodingProfile.sd540p()],
  ])('%s ladder: every encoder setting checks out', (_name, encoding) => {
    for (const logLevel of [ChannelLogLevel.DEBUG, ChannelLogLevel.DISABLED]) {
      const scte35Passthrough = logLevel === ChannelLogLevel.DEBUG;
      const { problems, checked } = checkTemplate(pipelineStack({ encoding: encoding(), logLevel, scte35Passthrough }).template);
      expect(problems).toEqual([]);
      // video codec, rate control, GOP units, AAC, output group, timecode, log level...: the walk reaches the deep settings
      expect(checked.length).toBeGreaterThan(40);
      expect(checked.some((entry) => /RateControlMode = QVBR \((H264|H265)RateControlMode\)/.test(entry))).toBe(true);
      expect(checked).toContain(`AWS::MediaLive::Channel.LogLevel = ${logLevel} (LogLevel)`);
    }
  });

  test('the maximal pipeline checks out', () => {
    const stack = stackFor();
    maximalPipeline(stack);
    expect(checkTemplate(Template.fromStack(stack)).problems).toEqual([]);
  });

  test('the largest MediaPackage v1 pipeline checks out, and the walk reaches its v1 destination and output group', () => {
    const stack = stackFor();
    largestV1Pipeline(stack);
    const template = Template.fromStack(stack);
    expect(checkTemplate(template).problems).toEqual([]);
    const channel = Object.values(template.findResources('AWS::MediaLive::Channel'))[0].Properties;
    const broken = JSON.parse(JSON.stringify(channel));
    broken.Destinations[0].MediaPackageSettings[0].ChannelIdd = broken.Destinations[0].MediaPackageSettings[0].ChannelId;
    broken.EncoderSettings.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.Destinaton = {};
    const paths = checkMediaLiveEnums('AWS::MediaLive::Channel', broken).problems.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining([
      'AWS::MediaLive::Channel.Destinations[0].MediaPackageSettings[0].ChannelIdd',
      'AWS::MediaLive::Channel.EncoderSettings.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.Destinaton',
    ]));
  });

  test('a bogus enum value, an unknown member and a list where none belongs are each named with their path', () => {
    const channel = Object.values(pipelineStack().template.findResources('AWS::MediaLive::Channel'))[0].Properties;
    const broken = JSON.parse(JSON.stringify(channel));
    broken.ChannelClass = 'STANDARDX';
    broken.EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.RateControlMode = 'QVBRX';
    broken.EncoderSettings.TimecodeConfig.Sourc = 'EMBEDDED';
    broken.InputSpecification = [broken.InputSpecification];
    const { problems } = checkMediaLiveEnums('AWS::MediaLive::Channel', broken);
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'AWS::MediaLive::Channel.ChannelClass', message: expect.stringMatching(/^'STANDARDX' is not a ChannelClass: one of .*SINGLE_PIPELINE/) }),
      expect.objectContaining({ path: 'AWS::MediaLive::Channel.EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.RateControlMode', message: expect.stringMatching(/^'QVBRX' is not a H264RateControlMode: one of .*QVBR/) }),
      expect.objectContaining({ path: 'AWS::MediaLive::Channel.EncoderSettings.TimecodeConfig.Sourc', message: expect.stringMatching(/not a member of TimecodeConfig/) }),
      expect.objectContaining({ path: 'AWS::MediaLive::Channel.InputSpecification', message: expect.stringMatching(/does not take a list here/) }),
    ]));
    const input = checkMediaLiveEnums('AWS::MediaLive::Input', { Type: 'UDP_PUSHX' });
    expect(input.problems).toEqual([{ path: 'AWS::MediaLive::Input.Type', message: expect.stringMatching(/^'UDP_PUSHX' is not a InputType: one of .*RTP_PUSH/) }]);
  });
});
