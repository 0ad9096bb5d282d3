using Dialtone.Phone.Media;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;

namespace Dialtone.Bots.Tests;

/// <summary>
/// The per-call media handler when an outgoing session receives the offer (late offer: an INVITE without
/// SDP, the offer in the 200): the track added when the call was created is reused for the peer's m-line
/// (JSEP addTrack semantics) — one transceiver, and the call's own audio flows.
/// </summary>
public sealed class MediaHandlerOfferTests
{
    [Fact]
    public async Task An_outgoing_per_call_handler_answers_an_offer_on_the_track_it_made_at_creation()
    {
        using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall });
        var options = new CallMediaOptions { CallAudio = new CallAudioSourceOptions { SampleRate = 16000 }, MediaTimeout = null };
        var target = UriReference.Parse("sip:peer@127.0.0.1");
        await using var caller = new WebRtcMediaHandler(factory, options, null, new SessionMediaRequest(SessionDirection.Outgoing, null, null, target));
        await using var callee = new WebRtcMediaHandler(factory, options, null, new SessionMediaRequest(SessionDirection.Incoming, null, null, target));
        Assert.NotNull(caller.CallTrack); // made with the call, before any SDP

        var offer = await callee.CreateOfferAsync(new SessionOfferOptions(), CancellationToken.None);
        await caller.SetRemoteOfferAsync(offer, CancellationToken.None);
        var answer = await caller.CreateAnswerAsync(CancellationToken.None);
        await callee.SetRemoteAnswerAsync(answer, provisional: false, CancellationToken.None);

        Assert.Single(caller.PeerConnection.Transceivers);
        Assert.True(caller.IsSending && caller.IsReceiving);
        var folder = Directory.CreateTempSubdirectory("dialtone-bots-offer-").FullName;
        try
        {
            caller.CallTrack!.Source.PlayWav(Wav.WriteTone(Path.Combine(folder, "tone.wav"), 900, TimeSpan.FromSeconds(1)), loop: true);
            using var sink = callee.CreateSink(new CallAudioSinkOptions { SampleRate = 16000 });
            Assert.True(await new ToneListener(sink, 900).HearAsync(900, frames: 30, Eventually.Generous), "the callee did not hear the caller's source");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
