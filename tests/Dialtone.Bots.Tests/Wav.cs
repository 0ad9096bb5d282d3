using System.Buffers.Binary;
using Dialtone.Phone.Audio;

namespace Dialtone.Bots.Tests;

/// <summary>Test WAV files: a tone to play, and the samples of a recording to examine.</summary>
internal static class Wav
{
    public static string WriteTone(string path, double hz, TimeSpan length, int rate = 16000)
    {
        var samples = new short[(int)(rate * length.TotalSeconds)];
        new ToneGenerator(hz, rate, amplitude: 0.3).Fill(samples);
        using var file = File.Create(path);
        Span<byte> h = stackalloc byte[44];
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], 36 + samples.Length * 2);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], samples.Length * 2);
        file.Write(h);
        var data = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), samples[i]);
        file.Write(data);
        return path;
    }

    /// <summary>The mono 16-bit samples and rate of a WAV file the engine wrote (44-byte header).</summary>
    public static (short[] Samples, int Rate) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 44 && bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8), $"{path} is not a WAV file");
        var rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(22)));
        var dataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40));
        Assert.Equal(bytes.Length - 44, dataLength);
        var samples = new short[dataLength / 2];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + 2 * i));
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
