import type * as medialive from 'aws-cdk-lib/aws-medialive';
import { renditionNameModifier, segmentModifier } from './contract/hls-s3-layout';
import type { EncodedRenditions } from './encoder-settings';

/** What the HLS-to-S3 output group depends on besides the renditions. */
export interface HlsS3OutputGroupOptions {
  /** The channel's destination of the group (one URL per pipeline). */
  readonly destinationId: string;
  /** Segment length, whole seconds (the closed GOP divides it). */
  readonly segmentLengthSeconds: number;
  /** Segments each child manifest lists. */
  readonly playlistSegments: number;
  /** Two pipelines: each main manifest lists both pipelines' child manifests, and a pipeline that loses its input pauses. */
  readonly redundant: boolean;
  /** Whether SCTE-35 reaches the output (then marked in the child manifests). */
  readonly scte35Passthrough: boolean;
}

/** Name of the output group. */
const groupName = 'hls-s3';

/**
 * An HLS output group that writes to S3 (`hlsCdnSettings.hlsS3Settings`): one TS output per video rendition, each with
 * the AAC audio muxed in, so a pipeline's variants differ from the other pipeline's only in their URI (the redundant
 * variant streams players fail over between; with a separate audio rendition group MediaLive renames the group per
 * pipeline). Live mode, a sliding window of `playlistSegments`, MediaLive keeping twice that plus one segment in the
 * bucket (RFC 8216 §6.2.2: a segment stays available a playlist duration after it left the playlist), EXT-X-PROGRAM-DATE-TIME
 * on every segment from the wall clock so players line the pipelines up when they switch.
 */
export function hlsS3OutputGroup(renditions: EncodedRenditions, options: HlsS3OutputGroupOptions): medialive.CfnChannel.OutputGroupProperty {
  return {
    name: groupName,
    outputGroupSettings: {
      hlsGroupSettings: {
        destination: { destinationRefId: options.destinationId },
        hlsCdnSettings: { hlsS3Settings: {} }, // no canned ACL: the bucket owner owns every object (ACLs disabled)
        // ENABLED: "the master manifest for each pipeline includes information about both pipelines: first its own
        // media files, then the media files of the other pipeline" (HlsGroupSettings.RedundantManifest)
        redundantManifest: options.redundant ? 'ENABLED' : 'DISABLED',
        // a pipeline without input stops writing, so its playlists go stale and the guard moves players to the
        // other one; a lone pipeline keeps its playlists moving with the input-loss slate instead
        inputLossAction: options.redundant ? 'PAUSE_OUTPUT' : 'EMIT_OUTPUT',
        mode: 'LIVE',
        outputSelection: 'MANIFESTS_AND_SEGMENTS',
        directoryStructure: 'SINGLE_DIRECTORY',
        tsFileMode: 'SEGMENTED_FILES',
        segmentLength: options.segmentLengthSeconds,
        indexNSegments: options.playlistSegments,
        keepSegments: 2 * options.playlistSegments + 1,
        manifestDurationFormat: 'FLOATING_POINT',
        programDateTime: 'INCLUDE',
        programDateTimeClock: 'SYSTEM_CLOCK',
        programDateTimePeriod: options.segmentLengthSeconds,
        streamInfResolution: 'INCLUDE',
        codecSpecification: 'RFC_4281',
        clientCache: 'ENABLED',
        discontinuityTags: 'INSERT',
        incompleteSegmentBehavior: 'AUTO',
        iFrameOnlyPlaylists: 'DISABLED',
        adMarkers: options.scte35Passthrough ? ['ELEMENTAL_SCTE35'] : undefined,
      },
    },
    outputs: renditions.videoNames.map((name) => ({
      outputName: name,
      videoDescriptionName: name,
      audioDescriptionNames: [renditions.audioName],
      outputSettings: {
        hlsOutputSettings: {
          nameModifier: renditionNameModifier(name),
          segmentModifier,
          hlsSettings: {
            standardHlsSettings: {
              audioRenditionSets: 'program_audio',
              m3U8Settings: {
                pcrControl: 'PCR_EVERY_PES_PACKET',
                scte35Behavior: options.scte35Passthrough ? 'PASSTHROUGH' : 'NO_PASSTHROUGH',
                scte35Pid: '500',
                timedMetadataBehavior: 'NO_PASSTHROUGH',
              },
            },
          },
        },
      },
    })),
  };
}
