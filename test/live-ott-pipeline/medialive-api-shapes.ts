import type { CreateChannelRequest, CreateInputRequest, CreateInputSecurityGroupRequest } from '@aws-sdk/client-medialive';

/** The MediaLive API request shapes the CloudFormation resources map to, by resource type (read by the enum check). */
export interface MediaLiveApiShapes {
  readonly 'AWS::MediaLive::Channel': CreateChannelRequest;
  readonly 'AWS::MediaLive::Input': CreateInputRequest;
  readonly 'AWS::MediaLive::InputSecurityGroup': CreateInputSecurityGroupRequest;
}
