using System.Text.RegularExpressions;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>Hold/unhold through the transceiver direction, mute, and ICE restart, checked in the audio.</summary>
[Collection(NativeCollection.Name)]
public sealed class TransceiverTests
{
    private const int Rate = 48000;

    [Fact]
    public async Task HoldMuteAndIceRestartChangeWhatIsHeard()
    {
        await using var call = await AudioCall.StartVirtualAsync();
        await using var pump = new AudioPump(
            (call.CallerFactory.VirtualAudio!, new ToneGenerator(1000, Rate)),
            (call.CalleeFactory.VirtualAudio!, new ToneGenerator(600, Rate)));
        var callerSide = call.CallerTrack.Transceiver;
        var calleeSide = call.CalleeTrack.Transceiver;
        Assert.Equal(RtpTransceiverDirection.SendRecv, callerSide.CurrentDirection);
        Assert.Equal("0", callerSide.Mid);
        Assert.Equal(callerSide.Mid, calleeSide.Mid);

        await Hears(pump, 1, 1000, "callee hears the caller");
        await Hears(pump, 0, 600, "caller hears the callee");

        // Hold (the caller puts the callee on hold: sendonly / recvonly): the caller hears nothing.
        callerSide.Direction = RtpTransceiverDirection.SendOnly;
        await Loopback.RenegotiateAsync(call.Caller, call.Callee);
        Assert.Equal(RtpTransceiverDirection.SendOnly, callerSide.CurrentDirection);
        Assert.Equal(RtpTransceiverDirection.RecvOnly, calleeSide.CurrentDirection);
        await Silent(pump, 0, "caller on hold");
        await Hears(pump, 1, 1000, "callee still hears the caller during hold");

        // Unhold.
        callerSide.Direction = RtpTransceiverDirection.SendRecv;
        await Loopback.RenegotiateAsync(call.Caller, call.Callee);
        Assert.Equal(RtpTransceiverDirection.SendRecv, callerSide.CurrentDirection);
        await Hears(pump, 0, 600, "caller hears the callee after unhold");

        // Mute sends silence; unmute brings the tone back.
        call.CallerTrack.Muted = true;
        Assert.True(call.CallerTrack.Muted);
        await Silent(pump, 1, "caller muted");
        call.CallerTrack.Muted = false;
        await Hears(pump, 1, 1000, "caller unmuted");

        // ICE restart: negotiation needed, new credentials, still connected, audio continues.
        var negotiationNeeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Caller.NegotiationNeeded += (_, _) => negotiationNeeded.TrySetResult();
        string oldUfrag = Ufrag(call.Caller.LocalDescription!.Sdp);
        call.Caller.RestartIce();
        await negotiationNeeded.Task.WaitAsync(Loopback.Timeout);
        await Loopback.RenegotiateAsync(call.Caller, call.Callee);
        Assert.NotEqual(oldUfrag, Ufrag(call.Caller.LocalDescription!.Sdp));
        await Loopback.WaitForStateAsync(call.Caller, PeerConnectionState.Connected);
        await Hears(pump, 1, 1000, "callee hears the caller after the ICE restart");
    }

    [Fact]
    public async Task AudioProcessingCanBeSwitchedMidCall()
    {
        await using var call = await AudioCall.StartVirtualAsync();
        await using var pump = new AudioPump((call.CallerFactory.VirtualAudio!, new ToneGenerator(1000, Rate)), (call.CalleeFactory.VirtualAudio!, null));
        await Hears(pump, 1, 1000, "before the switch");
        var all = new AudioProcessingOptions { NoiseSuppressionLevel = NoiseSuppressionLevel.High };
        call.CallerFactory.SetAudioProcessing(all);
        Assert.Same(all, call.CallerFactory.AudioProcessing);
        call.CallerFactory.SetAudioProcessing(AudioProcessingOptions.Disabled);
        await Hears(pump, 1, 1000, "after switching back");
    }

    private static string Ufrag(string sdp) => Regex.Match(sdp, @"a=ice-ufrag:(\S+)").Groups[1].Value;

    private static Task Hears(AudioPump pump, int device, double frequency, string what) =>
        Loopback.EventuallyAsync(() =>
        {
            short[] recent = pump.LastSeconds(device, 0.3);
            return Task.FromResult(recent.Length > Rate / 4 && Goertzel.EnergyFraction(recent, frequency, Rate) > 0.5 ? "yes" : null);
        }, TimeSpan.FromSeconds(10), what);

    private static async Task Silent(AudioPump pump, int device, string what)
    {
        // Silence is either quiet samples or none at all: with no stream to receive, libwebrtc stops
        // the device's playout and PullPlayout returns nothing.
        string last = "";
        long pulledBefore = -1;
        try
        {
            await Loopback.EventuallyAsync(async () =>
            {
                long pulled = pump.PulledSamples(device);
                await Task.Delay(300);
                bool stopped = pump.PulledSamples(device) == pulled && pulledBefore == pulled;
                pulledBefore = pump.PulledSamples(device);
                short[] recent = pump.LastSeconds(device, 0.3);
                last = $"pulled {pulledBefore}, rms {Goertzel.Rms(recent):F0}, 600 Hz {Goertzel.EnergyFraction(recent, 600, Rate):F2}, 1000 Hz {Goertzel.EnergyFraction(recent, 1000, Rate):F2}";
                return stopped || (recent.Length > Rate / 4 && Goertzel.Rms(recent) < 50) ? "yes" : null;
            }, TimeSpan.FromSeconds(10), what + ": silence");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "; last: " + last);
        }
    }
}
