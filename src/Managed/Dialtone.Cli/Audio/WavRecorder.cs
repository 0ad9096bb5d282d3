using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Dialtone.Cli.Audio;

/// <summary>
/// Writes 16-bit PCM frames to a WAV file as they arrive, fixing the header's sizes when closed.
/// Used for <c>--record</c> without <c>--play</c>, when the audio runs through the virtual device.
/// </summary>
internal sealed class WavRecorder : IDisposable
{
    private const int HeaderBytes = 44;
    private readonly FileStream _file;
    private readonly int _sampleRate;
    private readonly int _channels;
    private readonly Lock _lock = new();
    private long _dataBytes;
    private bool _closed;

    public WavRecorder(string path, int sampleRate, int channels)
    {
        _sampleRate = sampleRate;
        _channels = channels;
        try
        {
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"Cannot write '{path}': {e.Message}", e);
        }
        WriteHeader();
    }

    public void Write(ReadOnlySpan<short> frame)
    {
        lock (_lock)
        {
            if (_closed)
                return;
            if (BitConverter.IsLittleEndian)
            {
                _file.Write(MemoryMarshal.AsBytes(frame));
            }
            else
            {
                Span<byte> sample = stackalloc byte[2];
                foreach (var s in frame)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(sample, s);
                    _file.Write(sample);
                }
            }
            _dataBytes += frame.Length * 2L;
        }
    }

    private void WriteHeader()
    {
        Span<byte> h = stackalloc byte[HeaderBytes];
        var data = (int)Math.Min(_dataBytes, int.MaxValue - HeaderBytes);
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], 36 + data);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], (short)_channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], _sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], _sampleRate * _channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], (short)(_channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], data);
        _file.Position = 0;
        _file.Write(h);
        _file.Position = _file.Length;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            WriteHeader();
            _file.Dispose();
        }
    }
}
