using System.Buffers.Binary;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// Writes the WAV that Chromium's fake microphone plays (<c>--use-file-for-fake-audio-capture</c>,
/// which loops the file): a steady sine, 16-bit mono PCM, a whole number of cycles long so the loop
/// has no click.
/// </summary>
internal static class ToneWav
{
    public const int SampleRate = 48_000;

    public static void Write(string path, double frequencyHz, double amplitude = 0.3, double seconds = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequencyHz);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amplitude, 1.0);
        var cycles = Math.Max(1, Math.Round(frequencyHz * seconds));
        var samples = (int)Math.Round(cycles * SampleRate / frequencyHz);
        var data = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = amplitude * short.MaxValue * Math.Sin(2 * Math.PI * cycles * i / samples);
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), (short)Math.Round(value));
        }

        using var file = File.Create(path);
        using var writer = new BinaryWriter(file);
        writer.Write("RIFF"u8);
        writer.Write(36 + data.Length);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);                 // fmt chunk size
        writer.Write((short)1);           // PCM
        writer.Write((short)1);           // mono
        writer.Write(SampleRate);
        writer.Write(SampleRate * 2);     // byte rate
        writer.Write((short)2);           // block align
        writer.Write((short)16);          // bits per sample
        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
    }
}
