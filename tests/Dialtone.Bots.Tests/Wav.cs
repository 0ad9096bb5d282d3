using System.Buffers.Binary;
using Dialtone.Phone.Audio;
using Dialtone.Tests.Shared;

namespace Dialtone.Bots.Tests;

/// <summary>Test WAV files: a tone to play, and the samples of a recording to examine.</summary>
internal static class Wav
{
    public static string WriteTone(string path, double hz, TimeSpan length, int rate = 16000)
    {
        var samples = new short[(int)(rate * length.TotalSeconds)];
        new ToneGenerator(hz, rate, amplitude: 0.3).Fill(samples);
        WavFile.WriteMono16(path, samples, rate);
        return path;
    }

    /// <summary>The mono 16-bit samples and rate of a WAV file the engine wrote and finished.</summary>
    public static (short[] Samples, int Rate) Read(string path)
    {
        var (samples, rate, channels) = WavFile.Read(path);
        Assert.Equal(1, channels);
        // A finished recording has its sizes patched: the header's data size covers the whole file.
        var dataSize = BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(path).AsSpan(40));
        Assert.Equal(samples.Length * 2, dataSize);
        return (samples, rate);
    }

    /// <summary>10 ms frames of the file in which <paramref name="hz"/> dominates.</summary>
    public static int ToneFrames(string path, double hz)
    {
        var (samples, rate) = Read(path);
        var meter = new ToneMeter(hz, rate);
        for (var at = 0; at + rate / 100 <= samples.Length; at += rate / 100)
            meter.Process(samples.AsSpan(at, rate / 100));
        return (int)meter.ToneFrames;
    }
}
