using Dialtone.Bindings;

namespace Dialtone.WebRtc;

// The public enums take their values from the generated ones (never copied numbers); a test checks
// that every generated member has a public twin.

/// <summary>W3C RTCSignalingState. stable → have-local-offer/have-remote-offer → stable; closed is final.</summary>
public enum SignalingState
{
    Stable = (int)DtSignalingState.Stable,
    HaveLocalOffer = (int)DtSignalingState.HaveLocalOffer,
    HaveLocalPrAnswer = (int)DtSignalingState.HaveLocalPranswer,
    HaveRemoteOffer = (int)DtSignalingState.HaveRemoteOffer,
    HaveRemotePrAnswer = (int)DtSignalingState.HaveRemotePranswer,
    Closed = (int)DtSignalingState.Closed,
}

/// <summary>W3C RTCIceGatheringState: new → gathering → complete (again gathering after an ICE restart).</summary>
public enum IceGatheringState
{
    New = (int)DtIceGatheringState.New,
    Gathering = (int)DtIceGatheringState.Gathering,
    Complete = (int)DtIceGatheringState.Complete,
}

/// <summary>W3C RTCIceConnectionState.</summary>
public enum IceConnectionState
{
    New = (int)DtIceConnectionState.New,
    Checking = (int)DtIceConnectionState.Checking,
    Connected = (int)DtIceConnectionState.Connected,
    Completed = (int)DtIceConnectionState.Completed,
    Failed = (int)DtIceConnectionState.Failed,
    Disconnected = (int)DtIceConnectionState.Disconnected,
    Closed = (int)DtIceConnectionState.Closed,
}

/// <summary>W3C RTCPeerConnectionState: new → connecting → connected (⇄ disconnected) → failed/closed.</summary>
public enum PeerConnectionState
{
    New = (int)DtPeerConnectionState.New,
    Connecting = (int)DtPeerConnectionState.Connecting,
    Connected = (int)DtPeerConnectionState.Connected,
    Disconnected = (int)DtPeerConnectionState.Disconnected,
    Failed = (int)DtPeerConnectionState.Failed,
    Closed = (int)DtPeerConnectionState.Closed,
}

/// <summary>W3C RTCSdpType.</summary>
public enum SdpType
{
    Offer = (int)DtSdpType.Offer,
    PrAnswer = (int)DtSdpType.Pranswer,
    Answer = (int)DtSdpType.Answer,
    Rollback = (int)DtSdpType.Rollback,
}

/// <summary>W3C RTCRtpTransceiverDirection. Hold is SendOnly (or Inactive), unhold SendRecv.</summary>
public enum RtpTransceiverDirection
{
    SendRecv = (int)DtTransceiverDirection.Sendrecv,
    SendOnly = (int)DtTransceiverDirection.Sendonly,
    RecvOnly = (int)DtTransceiverDirection.Recvonly,
    Inactive = (int)DtTransceiverDirection.Inactive,
    Stopped = (int)DtTransceiverDirection.Stopped,
}

/// <summary>W3C RTCDataChannelState: connecting → open → closing → closed.</summary>
public enum DataChannelState
{
    Connecting = (int)DtDataChannelState.Connecting,
    Open = (int)DtDataChannelState.Open,
    Closing = (int)DtDataChannelState.Closing,
    Closed = (int)DtDataChannelState.Closed,
}

/// <summary>Where the factory's microphone audio comes from and its speaker audio goes.</summary>
public enum AudioDeviceKind
{
    /// <summary>Silence is sent, nothing is played.</summary>
    None = (int)DtAudioDeviceKind.None,

    /// <summary>The application pushes microphone PCM and pulls speaker PCM (see <see cref="VirtualAudioDevice"/>).</summary>
    Virtual = (int)DtAudioDeviceKind.Virtual,

    /// <summary>The microphone plays a WAV file; the speaker is recorded to another.</summary>
    WavFile = (int)DtAudioDeviceKind.WavFile,

    /// <summary>Real microphone and speaker through a PulseAudio (or PipeWire) server (see <see cref="AudioDevices"/>).</summary>
    PulseAudio = (int)DtAudioDeviceKind.Pulseaudio,

    /// <summary>
    /// No device, no sound server: every call has its own audio (<see cref="PeerConnection.AddCallAudioTrack"/>,
    /// <see cref="RtpTransceiverAudioExtensions.CreateCallAudioSink"/>). What servers and bots with many calls use.
    /// </summary>
    PerCall = (int)DtAudioDeviceKind.PerCall,
}

/// <summary>Microphone side or speaker side of an audio device.</summary>
public enum AudioDeviceDirection
{
    /// <summary>A microphone (PulseAudio source).</summary>
    Input = (int)DtAudioDirection.Input,

    /// <summary>A speaker (PulseAudio sink).</summary>
    Output = (int)DtAudioDirection.Output,
}

public enum NoiseSuppressionLevel
{
    Low = (int)DtNoiseSuppressionLevel.Low,
    Moderate = (int)DtNoiseSuppressionLevel.Moderate,
    High = (int)DtNoiseSuppressionLevel.High,
    VeryHigh = (int)DtNoiseSuppressionLevel.VeryHigh,
}

public enum IceTransportPolicy
{
    All = (int)DtIceTransportPolicy.All,
    Relay = (int)DtIceTransportPolicy.Relay,
}

public enum BundlePolicy
{
    Balanced = (int)DtBundlePolicy.Balanced,
    MaxBundle = (int)DtBundlePolicy.MaxBundle,
    MaxCompat = (int)DtBundlePolicy.MaxCompat,
}

/// <summary>The shim's result codes (<see cref="WebRtcException.ResultCode"/>).</summary>
public enum WebRtcErrorCode
{
    Ok = (int)DtResultCode.Ok,
    InvalidArgument = (int)DtResultCode.ErrorInvalidArgument,
    InvalidHandle = (int)DtResultCode.ErrorInvalidHandle,
    InvalidState = (int)DtResultCode.ErrorInvalidState,
    BufferTooSmall = (int)DtResultCode.ErrorBufferTooSmall,
    NotSupported = (int)DtResultCode.ErrorNotSupported,
    Closed = (int)DtResultCode.ErrorClosed,
    Internal = (int)DtResultCode.ErrorInternal,
    OutOfMemory = (int)DtResultCode.ErrorOutOfMemory,
    CreateFailed = (int)DtResultCode.ErrorCreateFailed,
    SdpParse = (int)DtResultCode.ErrorSdpParse,
    SdpRejected = (int)DtResultCode.ErrorSdpRejected,
    IceCandidate = (int)DtResultCode.ErrorIceCandidate,
    OperationFailed = (int)DtResultCode.ErrorOperationFailed,
    AudioDevice = (int)DtResultCode.ErrorAudioDevice,
    WavFile = (int)DtResultCode.ErrorWavFile,
    AudioFormat = (int)DtResultCode.ErrorAudioFormat,
    DataChannelSend = (int)DtResultCode.ErrorDataChannelSend,
    Dtmf = (int)DtResultCode.ErrorDtmf,
}
