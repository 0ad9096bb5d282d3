using System.Runtime.InteropServices;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>Per-call audio sinks and received DTMF on a transceiver.</summary>
public static unsafe class RtpTransceiverAudioExtensions
{
    /// <summary>
    /// Starts receiving the decoded audio of this transceiver's remote track alone — on any factory,
    /// so a softphone can record one call too. Audio flows once the call is connected. Several sinks
    /// may share a transceiver. Dispose the sink when done (a recording is completed then).
    /// </summary>
    public static CallAudioSink CreateCallAudioSink(this RtpTransceiver transceiver, CallAudioSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        options ??= new CallAudioSinkOptions();
        options.Validate();
        byte* path = Utf8.Allocate(options.WavOutputPath);
        var sinkHandle = new CallAudioSinkHandle();
        try
        {
            var native = new DtCallAudioSinkOptions
            {
                StructSize = (uint)sizeof(DtCallAudioSinkOptions),
                SampleRateHz = (uint)options.SampleRate,
                WavOutputPath = path,
                BufferMs = (uint)options.Buffer.TotalMilliseconds,
            };
            DtCallAudioSink* sink = null;
            using (new HandleScope(transceiver.Owner.Handle))
            {
                ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_create_call_audio_sink(transceiver.Native, &native, &sink), "dt_transceiver_create_call_audio_sink");
            }

            sinkHandle.Attach(sink);
            return new CallAudioSink(sinkHandle, options.SampleRate, options.WavOutputPath);
        }
        catch
        {
            sinkHandle.Dispose();
            throw;
        }
        finally
        {
            Utf8.Free(path);
        }
    }

    /// <summary>
    /// Starts reporting the RFC 4733 telephone-events received on this transceiver, read from the RTP
    /// packets (no audio is decoded). One receiver per transceiver at a time; create it before the
    /// call connects to see every event.
    /// </summary>
    public static DtmfReceiver CreateDtmfReceiver(this RtpTransceiver transceiver)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        var receiver = new DtmfReceiver();
        var target = GCHandle.Alloc(receiver, GCHandleType.Weak);
        var safe = new DtmfReceiverHandle();
        try
        {
            var callbacks = new DtDtmfReceiverCallbacks { StructSize = (uint)sizeof(DtDtmfReceiverCallbacks), OnEvent = &DtmfReceiver.OnEventNative };
            DtDtmfReceiver* native = null;
            using (new HandleScope(transceiver.Owner.Handle))
            {
                ThrowHelper.ThrowIfFailed(
                    WebRtcShim.dt_transceiver_create_dtmf_receiver(transceiver.Native, &callbacks, (void*)GCHandle.ToIntPtr(target), &native),
                    "dt_transceiver_create_dtmf_receiver");
            }

            safe.Attach(native, target);
            receiver.Attach(safe);
            return receiver;
        }
        catch
        {
            if (safe.IsInvalid)
            {
                target.Free();
            }

            safe.Dispose();
            throw;
        }
    }
}
