using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// RFC 4733 telephone-events received on one transceiver (<see cref="RtpTransceiverAudioExtensions.CreateDtmfReceiver"/>),
/// read from the RTP packets without decoding audio: each event once, in arrival order, as a
/// <see cref="DtmfEventPhase.Start"/> and an <see cref="DtmfEventPhase.End"/> with its final
/// duration. The end packet a sender repeats is reported once. <see cref="Events"/> is completed
/// when the receiver is disposed.
/// </summary>
public sealed class DtmfReceiver : IDisposable
{
    // Written on libwebrtc's worker thread: TryWrite on an unbounded channel never blocks it.
    private readonly Channel<DtmfEvent> events = Channel.CreateUnbounded<DtmfEvent>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true, AllowSynchronousContinuations = false });

    private DtmfReceiverHandle? handle;

    internal DtmfReceiver()
    {
    }

    public ChannelReader<DtmfEvent> Events => events.Reader;

    /// <summary>The digits of ended events as they arrive ("0"-"9", "*", "#", "A"-"D"); other events are skipped.</summary>
    public async IAsyncEnumerable<char> ReadDigitsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.Phase == DtmfEventPhase.End && e.Tone is { } tone)
            {
                yield return tone;
            }
        }
    }

    /// <summary>Stops reporting (no event is written after this returns) and completes <see cref="Events"/>.</summary>
    public void Dispose()
    {
        handle?.Dispose();
        events.Writer.TryComplete();
    }

    internal void Attach(DtmfReceiverHandle safe) => handle = safe;

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    internal static unsafe void OnEventNative(void* userData, DtDtmfEvent* e)
    {
        try
        {
            if (userData is null || e is null || GCHandle.FromIntPtr((nint)userData).Target is not DtmfReceiver receiver)
            {
                return;
            }

            char? tone = e->Tone == 0 ? null : (char)e->Tone;
            receiver.events.Writer.TryWrite(new DtmfEvent(
                (DtmfEventPhase)e->Phase, (int)e->Event, tone, TimeSpan.FromMilliseconds(e->DurationMs), e->EndBit != 0,
                (int)e->Volume, e->RtpTimestamp, (int)e->ClockRateHz));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }
}

/// <summary>Start or end of an RFC 4733 event.</summary>
public enum DtmfEventPhase
{
    /// <summary>The first packet of a new event.</summary>
    Start = (int)DtDtmfEventPhase.Start,

    /// <summary>The event is over: its end bit arrived, or the next event began first.</summary>
    End = (int)DtDtmfEventPhase.End,
}

/// <param name="Phase">Start or end.</param>
/// <param name="Event">RFC 4733 event code: 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', others above.</param>
/// <param name="Tone">The DTMF character of <paramref name="Event"/>; null for other events.</param>
/// <param name="Duration">So far (start) or final (end), from the packet's duration field.</param>
/// <param name="EndBit">End only: the end bit arrived (false: the next event began while its end packets were lost).</param>
/// <param name="Volume">Power level, 0..63 (-dBm0).</param>
/// <param name="RtpTimestamp">The event's start timestamp, which identifies it.</param>
/// <param name="ClockRate">Clock rate of the telephone-event payload type.</param>
public readonly record struct DtmfEvent(
    DtmfEventPhase Phase, int Event, char? Tone, TimeSpan Duration, bool EndBit, int Volume, uint RtpTimestamp, int ClockRate);
