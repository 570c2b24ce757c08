import { Duration } from 'aws-cdk-lib';
import { onlyResource, pipelineStack } from './pipeline-stack';
import { EncodingProfile, H264Profile, VideoCodec } from '../../src';

function encoderSettingsOf(props: Parameters<typeof pipelineStack>[0]): Record<string, any> {
  return onlyResource(pipelineStack(props).template, 'AWS::MediaLive::Channel').EncoderSettings;
}

/** Each video description as `WxH maxBitrate quality profile`. */
function ladderOf(settings: Record<string, any>): string[] {
  return settings.VideoDescriptions.map((description: any) => {
    const h264 = description.CodecSettings.H264Settings;
    return `${description.Width}x${description.Height} ${h264.MaxBitrate} q${h264.QvbrQualityLevel} ${h264.Profile}`;
  });
}

describe('LiveOttPipeline encoding', () => {
  // ladders from the seed's profiles: research/prior-art-live-ott.md §1.3
  test('HD_1080P: six renditions 1080p..288p at 30 fps, High on top, Main below', () => {
    const settings = encoderSettingsOf({ encoding: EncodingProfile.hd1080p() });
    expect(ladderOf(settings)).toEqual([
      '1920x1080 4100000 q9 HIGH', '1280x720 2700000 q8 MAIN', '960x540 1800000 q8 MAIN',
      '768x432 1200000 q7 MAIN', '640x360 800000 q7 MAIN', '512x288 400000 q6 MAIN',
    ]);
    expect(settings.VideoDescriptions.every((d: any) => d.CodecSettings.H264Settings.FramerateNumerator === 30)).toBe(true);
    expect(onlyResource(pipelineStack({ encoding: EncodingProfile.hd1080p() }).template, 'AWS::MediaLive::Channel').InputSpecification)
      .toEqual({ Codec: 'AVC', Resolution: 'HD', MaximumBitrate: 'MAX_20_MBPS' });
  });

  test('HD_720P (the default): four renditions at 25 fps, the two lowest Baseline with CAVLC and no B-frames', () => {
    const settings = encoderSettingsOf({});
    expect(ladderOf(settings)).toEqual(['1280x720 2700000 q9 HIGH', '960x540 1800000 q8 MAIN', '640x360 800000 q7 BASELINE', '512x288 400000 q6 BASELINE']);
    const lowest = settings.VideoDescriptions[3].CodecSettings.H264Settings;
    expect(lowest).toMatchObject({ FramerateNumerator: 25, EntropyEncoding: 'CAVLC', GopNumBFrames: 0 });
    expect(settings.VideoDescriptions[0].CodecSettings.H264Settings).toMatchObject({ EntropyEncoding: 'CABAC', GopNumBFrames: 3 });
  });

  test('SD_540P: four renditions 540p..288p at 30 fps, SD input specification', () => {
    const { template } = pipelineStack({ encoding: EncodingProfile.sd540p() });
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    expect(ladderOf(channel.EncoderSettings)).toEqual(['960x540 1800000 q9 MAIN', '768x432 1200000 q7 MAIN', '640x360 800000 q7 MAIN', '512x288 400000 q6 MAIN']);
    expect(channel.InputSpecification).toEqual({ Codec: 'AVC', Resolution: 'SD', MaximumBitrate: 'MAX_10_MBPS' });
  });

  test('every rendition is QVBR with a 2x buffer and a closed 2 s GOP under the default 4 s segments', () => {
    for (const description of encoderSettingsOf({ encoding: EncodingProfile.hd1080p() }).VideoDescriptions) {
      const h264 = description.CodecSettings.H264Settings;
      expect(h264).toMatchObject({ RateControlMode: 'QVBR', BufSize: 2 * h264.MaxBitrate, GopSize: 2, GopSizeUnits: 'SECONDS', GopClosedCadence: 1 });
      expect(h264.Bitrate).toBeUndefined();
    }
  });

  test.each([[6, 2], [2, 2], [3, 1], [1, 1]])('a %i s segment gets %i s closed GOPs and the same MediaLive segment length', (segment, gop) => {
    const settings = encoderSettingsOf({ segmentLength: Duration.seconds(segment) });
    expect(settings.VideoDescriptions[0].CodecSettings.H264Settings.GopSize).toBe(gop);
    expect(segment % gop).toBe(0);
    expect(settings.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.MediapackageV2GroupSettings).toMatchObject({ SegmentLength: segment, SegmentLengthUnits: 'SECONDS' });
  });

  test.each([Duration.millis(1500), Duration.seconds(0), Duration.seconds(31)])('segmentLength %s is refused', (segmentLength) => {
    expect(() => pipelineStack({ segmentLength })).toThrow(`segmentLength must be whole seconds from 1 to 30, got ${segmentLength.toHumanString()}`);
  });

  test('AAC-LC stereo 96 kbit/s goes out as its own rendition beside video-only renditions', () => {
    const settings = encoderSettingsOf({});
    expect(settings.AudioDescriptions).toEqual([expect.objectContaining({
      Name: 'audio_aac',
      CodecSettings: { AacSettings: expect.objectContaining({ Bitrate: 96000, CodingMode: 'CODING_MODE_2_0', Profile: 'LC', SampleRate: 48000 }) },
    })]);
    const outputs = settings.OutputGroups[0].Outputs;
    expect(outputs).toHaveLength(5);
    expect(outputs.filter((output: any) => output.VideoDescriptionName && !output.AudioDescriptionNames)).toHaveLength(4);
    expect(outputs[4]).toEqual({ OutputName: 'audio_aac', AudioDescriptionNames: ['audio_aac'], OutputSettings: { MediaPackageOutputSettings: {} } });
  });

  test('HEVC renditions use H.265 Main with the same QVBR caps', () => {
    const settings = encoderSettingsOf({ encoding: EncodingProfile.hd1080p({ codec: VideoCodec.HEVC }) });
    expect(settings.VideoDescriptions[0].CodecSettings.H264Settings).toBeUndefined();
    expect(settings.VideoDescriptions[0].CodecSettings.H265Settings).toMatchObject({ Profile: 'MAIN', RateControlMode: 'QVBR', MaxBitrate: 4100000, QvbrQualityLevel: 9, GopSize: 2 });
  });

  test('SCTE-35 passes through by default (splice inserts as avails, SCTE-35 into the CMAF ingest) and can be turned off', () => {
    const on = encoderSettingsOf({});
    expect(on.AvailConfiguration).toEqual({ AvailSettings: { Scte35SpliceInsert: { NoRegionalBlackoutFlag: 'FOLLOW', WebDeliveryAllowedFlag: 'FOLLOW' } } });
    expect(on.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.MediapackageV2GroupSettings.Scte35Type).toBe('SCTE_35_WITHOUT_SEGMENTATION');
    const off = encoderSettingsOf({ scte35Passthrough: false });
    expect(off.AvailConfiguration).toBeUndefined();
    expect(off.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.MediapackageV2GroupSettings.Scte35Type).toBe('NONE');
  });

  describe('custom ladders', () => {
    const rung = { width: 1280, height: 720, maxBitrate: 3_000_000, qualityLevel: 8 };

    test('typed renditions become the ladder, Main by default', () => {
      const baseline = { width: 640, height: 360, maxBitrate: 900_000, qualityLevel: 7, h264Profile: H264Profile.BASELINE };
      const encoding = EncodingProfile.custom({ framerate: 50, renditions: [rung, baseline], audioBitrate: 128_000 });
      const settings = encoderSettingsOf({ encoding });
      expect(ladderOf(settings)).toEqual(['1280x720 3000000 q8 MAIN', '640x360 900000 q7 BASELINE']);
      expect(settings.VideoDescriptions[0].CodecSettings.H264Settings.FramerateNumerator).toBe(50);
      expect(settings.AudioDescriptions[0].CodecSettings.AacSettings.Bitrate).toBe(128000);
    });

    test.each([
      [{ renditions: [] }, /^encoding: renditions must hold 1 to 10 renditions, got 0$/],
      [{ framerate: 29.97 }, /^encoding: framerate must be one of 24, 25, 30, 50, 60, got 29.97$/],
      [{ renditions: [{ ...rung, width: 1279 }] }, /^encoding: renditions\[0\]\.width must be an even integer from 96 to 3840, got 1279$/],
      [{ renditions: [{ ...rung, height: 4320 }] }, /^encoding: renditions\[0\]\.height must be an even integer from 96 to 2160, got 4320$/],
      [{ renditions: [{ ...rung, maxBitrate: 30_000_000 }] }, /maxBitrate must be an integer from 50000 to 20000000, got 30000000/],
      [{ renditions: [{ ...rung, qualityLevel: 11 }] }, /qualityLevel must be an integer from 1 to 10, got 11/],
      [{ renditions: [rung, rung] }, /^encoding: renditions must differ/],
      [{ renditions: [{ ...rung, maxBitrate: 1_000_000 }, rung] }, /ordered highest first, got renditions\[1\]\.maxBitrate 3000000 above renditions\[0\]\.maxBitrate 1000000/],
      [{ audioBitrate: 100_000 }, /audioBitrate must be one of 64000, 96000, 128000, 192000, got 100000/],
    ])('%j is refused', (override, message) => {
      expect(() => EncodingProfile.custom({ framerate: 30, renditions: [rung], ...override } as any)).toThrow(message);
    });
  });
});
