using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

// The native half of PeerConnection: starting asynchronous operations and the static entry points
// for its events. The entry points run on libwebrtc's threads, so they only copy what the shim lends
// and enqueue; user handlers run on the dispatcher.
public sealed unsafe partial class PeerConnection
{
    private void RegisterCallbacks()
    {
        // Weak: an undisposed, unreachable connection can still be collected (its SafeHandle then
        // releases the native object). The handle frees this GCHandle after the native release.
        var self = GCHandle.Alloc(this, GCHandleType.Weak);
        handle.OwnCallbackHandle(self);
        var callbacks = new DtPeerConnectionCallbacks
        {
            StructSize = (uint)sizeof(DtPeerConnectionCallbacks),
            OnIceCandidate = &OnIceCandidateNative,
            OnIceGatheringState = &OnIceGatheringStateNative,
            OnIceConnectionState = &OnIceConnectionStateNative,
            OnConnectionState = &OnConnectionStateNative,
            OnSignalingState = &OnSignalingStateNative,
            OnNegotiationNeeded = &OnNegotiationNeededNative,
            OnTrack = &OnTrackNative,
            OnDataChannel = &OnDataChannelNative,
        };
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(
            WebRtcShim.dt_peer_connection_set_callbacks(handle.Pointer, &callbacks, (void*)GCHandle.ToIntPtr(self)),
            "dt_peer_connection_set_callbacks");
    }

    private void StartCreateDescription(bool offer, OfferAnswerOptions options, PendingOperation<SessionDescription> op)
    {
        var native = new DtOfferAnswerOptions
        {
            StructSize = (uint)sizeof(DtOfferAnswerOptions),
            IceRestart = options.IceRestart ? (byte)1 : (byte)0,
            VoiceActivityDetection = options.VoiceActivityDetection ? (byte)1 : (byte)0,
        };
        nint userData = op.Pin();
        int result;
        string message = "";
        using (new HandleScope(handle))
        {
            result = offer
                ? WebRtcShim.dt_peer_connection_create_offer(handle.Pointer, &native, CompletionTrampolines.SessionDescription, (void*)userData)
                : WebRtcShim.dt_peer_connection_create_answer(handle.Pointer, &native, CompletionTrampolines.SessionDescription, (void*)userData);
            if (result != 0)
            {
                message = ThrowHelper.LastErrorMessage();
            }
        }

        FailIfNotStarted(result, message, userData, op.Operation);
    }

    private void StartSetDescription(bool local, SessionDescription description, PendingOperation<bool> op)
    {
        if (!Enum.IsDefined(description.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(description), description.Type, "unknown SDP type");
        }

        nint userData = op.Pin();
        int result;
        string message = "";
        using (new HandleScope(handle))
        {
            result = local
                ? WebRtcShim.dt_peer_connection_set_local_description(handle.Pointer, (DtSdpType)description.Type, description.Sdp, CompletionTrampolines.Completion, (void*)userData)
                : WebRtcShim.dt_peer_connection_set_remote_description(handle.Pointer, (DtSdpType)description.Type, description.Sdp, CompletionTrampolines.Completion, (void*)userData);
            if (result != 0)
            {
                message = ThrowHelper.LastErrorMessage();
            }
        }

        FailIfNotStarted(result, message, userData, op.Operation);
    }

    private void StartAddIceCandidate(IceCandidate candidate, PendingOperation<bool> op)
    {
        nint userData = op.Pin();
        int result;
        string message = "";
        using (new HandleScope(handle))
        {
            result = WebRtcShim.dt_peer_connection_add_ice_candidate(handle.Pointer, candidate.SdpMid, candidate.SdpMLineIndex,
                candidate.Candidate, CompletionTrampolines.Completion, (void*)userData);
            if (result != 0)
            {
                message = ThrowHelper.LastErrorMessage();
            }
        }

        FailIfNotStarted(result, message, userData, op.Operation);
    }

    private void StartGetStats(PendingOperation<string> op)
    {
        nint userData = op.Pin();
        int result;
        string message = "";
        using (new HandleScope(handle))
        {
            result = WebRtcShim.dt_peer_connection_get_stats(handle.Pointer, CompletionTrampolines.Stats, (void*)userData);
            if (result != 0)
            {
                message = ThrowHelper.LastErrorMessage();
            }
        }

        FailIfNotStarted(result, message, userData, op.Operation);
    }

    // A non-zero return means the shim will never call back: free the pin and throw here.
    private static void FailIfNotStarted(int result, string message, nint userData, string operation)
    {
        if (result != 0)
        {
            GCHandle.FromIntPtr(userData).Free();
            throw ThrowHelper.Create(result, message, operation);
        }
    }

    private static PeerConnection? From(void* userData) =>
        userData is null ? null : GCHandle.FromIntPtr((nint)userData).Target as PeerConnection;


    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnIceCandidateNative(void* userData, byte* sdpMid, int sdpMLineIndex, byte* candidate)
    {
        try
        {
            var pc = From(userData);
            if (pc is null)
            {
                return;
            }

            var line = Utf8.FromNullTerminated(candidate);
            // libwebrtc added the candidate to the local description before reporting it.
            var type = IceCandidateLine.TypeOf(line);
            var ufrag = IceCandidateLine.UfragOf(line);
            pc.ReportIce(p =>
            {
                if (ufrag is null || p.localUfrag is null || ufrag == p.localUfrag)
                {
                    p.localCandidateTypes |= type;
                }
            });
            pc.iceCandidates.Writer.TryWrite(new IceCandidate(line, Utf8.FromNullTerminatedOrNull(sdpMid), sdpMLineIndex));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnIceGatheringStateNative(void* userData, DtIceGatheringState state)
    {
        try
        {
            var pc = From(userData);
            if (pc is null)
            {
                return;
            }

            var s = (IceGatheringState)state;
            pc.ReportIce(p => p.iceGathering = s);
            pc.dispatcher.Post(() => pc.IceGatheringStateChanged?.Invoke(pc, new StateChangedEventArgs<IceGatheringState>(s)));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnIceConnectionStateNative(void* userData, DtIceConnectionState state)
    {
        try
        {
            var pc = From(userData);
            if (pc is null)
            {
                return;
            }

            var s = (IceConnectionState)state;
            pc.ReportIce(p => p.iceConnection = s);
            pc.dispatcher.Post(() => pc.IceConnectionStateChanged?.Invoke(pc, new StateChangedEventArgs<IceConnectionState>(s)));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnConnectionStateNative(void* userData, DtPeerConnectionState state)
    {
        try
        {
            var pc = From(userData);
            var s = (PeerConnectionState)state;
            pc?.dispatcher.Post(() => pc.ConnectionStateChanged?.Invoke(pc, new StateChangedEventArgs<PeerConnectionState>(s)));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnSignalingStateNative(void* userData, DtSignalingState state)
    {
        try
        {
            var pc = From(userData);
            var s = (SignalingState)state;
            pc?.dispatcher.Post(() => pc.SignalingStateChanged?.Invoke(pc, new StateChangedEventArgs<SignalingState>(s)));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnNegotiationNeededNative(void* userData)
    {
        try
        {
            var pc = From(userData);
            pc?.dispatcher.Post(() => pc.NegotiationNeeded?.Invoke(pc, EventArgs.Empty));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnTrackNative(void* userData, DtTransceiver* transceiver, byte* trackId, byte* mid)
    {
        try
        {
            var pc = From(userData);
            if (pc is null || transceiver is null)
            {
                return;
            }

            var managed = pc.GetOrAddTransceiver(transceiver);
            var args = new TrackEventArgs(managed, Utf8.FromNullTerminated(trackId), Utf8.FromNullTerminatedOrNull(mid));
            pc.dispatcher.Post(() => pc.TrackAdded?.Invoke(pc, args));
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnDataChannelNative(void* userData, DtDataChannel* channel)
    {
        if (channel is null)
        {
            return;
        }

        DataChannelHandle? channelHandle = null;
        try
        {
            var pc = From(userData);
            if (pc is null || pc.disposed != 0)
            {
                WebRtcShim.dt_data_channel_release(channel);
                return;
            }

            // Throws ObjectDisposedException when the connection is being released right now.
            channelHandle = DataChannelHandle.Adopt(pc.handle, channel);
            var managed = new DataChannel(pc, channelHandle);
            if (!pc.AddDataChannel(managed))
            {
                managed.ReleaseNative();
                return;
            }

            // Callbacks are attached off this thread; the shim queues messages until then.
            pc.dispatcher.Post(() =>
            {
                managed.AttachCallbacks();
                pc.DataChannelReceived?.Invoke(pc, new DataChannelEventArgs(managed));
            });
        }
        catch (Exception)
        {
            try
            {
                if (channelHandle is null)
                {
                    WebRtcShim.dt_data_channel_release(channel);
                }
            }
            catch (Exception)
            {
            }
        }
    }
}
