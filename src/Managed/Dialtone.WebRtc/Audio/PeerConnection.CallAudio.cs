using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

public sealed unsafe partial class PeerConnection
{
    /// <summary>
    /// Adds a local audio track fed by its own <see cref="CallAudioSource"/> instead of the factory's
    /// device (W3C addTrack semantics: it reuses a transceiver created by a remote offer). Needs a
    /// factory made with <see cref="AudioDeviceKind.PerCall"/>: libwebrtc hands device audio to every
    /// sending stream, so on another factory it would be mixed into this call (throws
    /// <see cref="WebRtcException"/> with <see cref="WebRtcErrorCode.InvalidState"/>). Dispose the
    /// returned source when the call ends.
    /// </summary>
    public CallAudioTrack AddCallAudioTrack(CallAudioSourceOptions? options = null, string? trackId = null, string? streamId = null)
    {
        options ??= new CallAudioSourceOptions();
        options.Validate();
        var native = new DtCallAudioSourceOptions
        {
            StructSize = (uint)sizeof(DtCallAudioSourceOptions),
            SampleRateHz = (uint)options.SampleRate,
            AudioProcessing = AudioProcessingConversion.ToNative(options.AudioProcessing),
            BufferMs = (uint)options.Buffer.TotalMilliseconds,
        };
        byte* track = Utf8.Allocate(trackId);
        byte* stream = Utf8.Allocate(streamId);
        var sourceHandle = new CallAudioSourceHandle();
        try
        {
            var init = new DtAudioTrackInit { StructSize = (uint)sizeof(DtAudioTrackInit), TrackId = track, StreamId = stream };
            DtTransceiver* transceiver = null;
            DtCallAudioSource* source = null;
            using (new HandleScope(handle))
            {
                ThrowHelper.ThrowIfFailed(
                    WebRtcShim.dt_peer_connection_add_call_audio_track(handle.Pointer, &init, &native, &transceiver, &source),
                    "dt_peer_connection_add_call_audio_track");
            }

            sourceHandle.Attach(source);
            return new CallAudioTrack(GetOrAddTransceiver(transceiver), new CallAudioSource(sourceHandle, options.SampleRate), trackId);
        }
        catch
        {
            sourceHandle.Dispose();
            throw;
        }
        finally
        {
            Utf8.Free(track);
            Utf8.Free(stream);
        }
    }
}

/// <summary>A local audio track fed by its own source (<see cref="PeerConnection.AddCallAudioTrack"/>).</summary>
public sealed class CallAudioTrack
{
    internal CallAudioTrack(RtpTransceiver transceiver, CallAudioSource source, string? id)
    {
        Transceiver = transceiver;
        Source = source;
        Id = id;
    }

    /// <summary>The id given when the track was added (null: libwebrtc chose one).</summary>
    public string? Id { get; }

    public RtpTransceiver Transceiver { get; }

    /// <summary>What this call sends. The application disposes it when the call ends.</summary>
    public CallAudioSource Source { get; }

    public DtmfSender Dtmf => Transceiver.Dtmf;
}
