using System.Buffers.Binary;

namespace Dialtone.Cli.Audio;

/// <summary>
/// The format of a RIFF/WAVE file, read from its header — enough to check up front that the audio
/// engine can play it (16-bit PCM, mono or stereo, 8–48 kHz) and to tell the user how to convert it if not.
/// </summary>
internal sealed record WavFormat(int SampleRate, int Channels, int BitsPerSample, int FormatTag)
{
    private static readonly int[] EngineRates = [8000, 16000, 32000, 44100, 48000];

    public static WavFormat Read(string path)
    {
        byte[] header;
        try
        {
            using var file = File.OpenRead(path);
            header = new byte[Math.Min(4096, file.Length)];
            file.ReadExactly(header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"Cannot read '{path}': {e.Message}", e);
        }
        var span = header.AsSpan();
        if (span.Length < 12 || !span[..4].SequenceEqual("RIFF"u8) || !span[8..12].SequenceEqual("WAVE"u8))
            throw new CliException(ExitCode.Usage, $"'{path}' is not a WAV file.");
        // Walk the chunks to "fmt " (it usually comes first, but need not).
        for (var at = 12; at + 8 <= span.Length;)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 4)..]);
            if (span.Slice(at, 4).SequenceEqual("fmt "u8) && at + 8 + 16 <= span.Length)
            {
                var fmt = span[(at + 8)..];
                return new WavFormat(
                    SampleRate: BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]),
                    Channels: BinaryPrimitives.ReadInt16LittleEndian(fmt[2..]),
                    BitsPerSample: BinaryPrimitives.ReadInt16LittleEndian(fmt[14..]),
                    FormatTag: BinaryPrimitives.ReadUInt16LittleEndian(fmt));
            }
            if (size < 0)
                break;
            at += 8 + size + (size & 1);
        }
        throw new CliException(ExitCode.Usage, $"'{path}' has no WAV format chunk.");
    }

    /// <summary>Throws a usage error naming the fix when the engine cannot play this file.</summary>
    public void EnsurePlayable(string path)
    {
        // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, which sox and others write for plain PCM too.
        var pcm16 = FormatTag is 1 or 0xFFFE && BitsPerSample == 16;
        if (!pcm16 || Channels is not (1 or 2) || !EngineRates.Contains(SampleRate))
        {
            throw new CliException(ExitCode.Usage,
                $"'{path}' is {BitsPerSample}-bit, {Channels} channel(s), {SampleRate} Hz; dialtone plays 16-bit PCM, mono or stereo, at 8, 16, 32, 44.1 or 48 kHz. "
                + $"Convert it, e.g.: sox '{path}' -b 16 -r 48000 -c 1 out.wav");
        }
    }
}
