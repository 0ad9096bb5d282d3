using System.Runtime.CompilerServices;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.WebRtc;

namespace Dialtone.Load.Bench;

/// <summary>
/// Per-call audio of the bench (AudioDeviceKind.PerCall): each call plays its side's tone from a
/// looping WAV (the engine's 10 ms clock sends it; no managed work per frame) and keeps a sink of
/// what the peer sends, so every call's audio can be verified: the peer's tone, in that call.
/// </summary>
internal static class CallTones
{
    public const int SampleRate = 16000;
    public const double BobHz = 600;
    public const double AliceHz = 1400;

    private static readonly ConditionalWeakTable<Call, CallAudioSink> Sinks = [];

    /// <summary>A one-second tone WAV (16-bit mono) in the temp folder.</summary>
    public static string WriteToneWav(double hz)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dialtone-load-{hz:F0}hz-{Environment.ProcessId}.wav");
        var samples = new short[SampleRate];
        new ToneGenerator(hz, SampleRate).Fill(samples);
        using var file = File.Create(path);
        using var w = new BinaryWriter(file);
        w.Write("RIFF"u8);
        w.Write(36 + samples.Length * 2);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(SampleRate);
        w.Write(SampleRate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples.Length * 2);
        foreach (var s in samples)
            w.Write(s);
        return path;
    }

    /// <summary>Starts the call's own tone and its sink (call as soon as the call exists).</summary>
    public static void Attach(Call call, string toneWav)
    {
        Sinks.AddOrUpdate(call, call.Audio.CreateSink(new CallAudioSinkOptions { SampleRate = SampleRate }));
        call.Audio.PlayWav(toneWav, loop: true);
    }

    /// <summary>
    /// Whether the call's sink holds the peer's tone: at least 30 10-ms frames buffered and most of them
    /// dominated by <paramref name="hz"/>. Reads (drains) what is buffered, up to one second.
    /// </summary>
    public static bool Hears(Call call, double hz)
    {
        if (!Sinks.TryGetValue(call, out var sink))
            return false;
        var buffer = new short[SampleRate];
        int read;
        try
        {
            read = sink.Read(buffer);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        var filter = new GoertzelFilter(hz, SampleRate);
        var frames = read / (SampleRate / 100);
        var toneFrames = 0;
        for (var i = 0; i < frames; i++)
        {
            if (filter.RelativePower(buffer.AsSpan(i * SampleRate / 100, SampleRate / 100)) > 0.5)
                toneFrames++;
        }
        return frames >= 30 && toneFrames * 2 > frames;
    }
}
