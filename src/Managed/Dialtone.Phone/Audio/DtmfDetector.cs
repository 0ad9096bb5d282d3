namespace Dialtone.Phone.Audio;

/// <summary>
/// Recognises DTMF digits in decoded audio (ITU-T Q.23 frequency pairs) — how a softphone learns the
/// digits a peer sent as RFC 4733 telephone-events, which libwebrtc's jitter buffer plays out as tones.
/// Feed it consecutive blocks; each digit is reported once when its tone starts, after it has lasted
/// two blocks. A digit ends only after its tone has been gone for <see cref="DropoutTolerance"/>:
/// a jitter-buffer glitch inside one tone is not a second press (Q.24 pauses last 40 ms or more).
/// Allocates nothing per block.
/// </summary>
public sealed class DtmfDetector
{
    private static readonly double[] RowHz = [697, 770, 852, 941];
    private static readonly double[] ColumnHz = [1209, 1336, 1477, 1633];
    private static readonly char[,] Keys =
    {
        { '1', '2', '3', 'A' },
        { '4', '5', '6', 'B' },
        { '7', '8', '9', 'C' },
        { '*', '0', '#', 'D' },
    };

    /// <summary>How long a reported digit's tone may drop out and still be the same press.</summary>
    public static readonly TimeSpan DropoutTolerance = TimeSpan.FromMilliseconds(25);

    private readonly GoertzelFilter[] _rows;
    private readonly GoertzelFilter[] _columns;
    private readonly int _toleratedMissingSamples;
    private char? _candidate;
    private int _candidateBlocks;
    private char? _sounding;
    private int _missingSamples;

    public DtmfDetector(int sampleRateHz)
    {
        _rows = RowHz.Select(f => new GoertzelFilter(f, sampleRateHz)).ToArray();
        _columns = ColumnHz.Select(f => new GoertzelFilter(f, sampleRateHz)).ToArray();
        _toleratedMissingSamples = (int)(sampleRateHz * DropoutTolerance.TotalSeconds);
    }

    /// <summary>Examines one block (10–20 ms is right); returns a digit the first time its tone is confirmed.</summary>
    public char? Process(ReadOnlySpan<short> block)
    {
        var key = Classify(block);
        if (_sounding is { } sounding)
        {
            if (key == sounding)
            {
                _missingSamples = 0;
                return null;
            }
            _missingSamples += block.Length;
            if (_missingSamples < _toleratedMissingSamples)
                return null;
            _sounding = null; // the press is over; this block may start the next one
            _candidate = null;
        }

        if (key != _candidate)
        {
            _candidate = key;
            _candidateBlocks = 1;
            return null;
        }
        _candidateBlocks++;
        if (key is null || _candidateBlocks < 2)
            return null;
        _sounding = key;
        _missingSamples = 0;
        return key;
    }

    private char? Classify(ReadOnlySpan<short> block)
    {
        var (row, rowPower, rowRunnerUp) = Strongest(_rows, block);
        var (column, columnPower, columnRunnerUp) = Strongest(_columns, block);
        // Both tones present, together most of the energy, each clearly above its group's others.
        var ok = rowPower > 0.15 && columnPower > 0.15 && rowPower + columnPower > 0.6
            && rowPower > 4 * rowRunnerUp && columnPower > 4 * columnRunnerUp;
        return ok ? Keys[row, column] : null;
    }

    private static (int Index, double Power, double RunnerUp) Strongest(GoertzelFilter[] filters, ReadOnlySpan<short> block)
    {
        int best = 0;
        double bestPower = 0, runnerUp = 0;
        for (var i = 0; i < filters.Length; i++)
        {
            var power = filters[i].RelativePower(block);
            if (power > bestPower)
            {
                runnerUp = bestPower;
                bestPower = power;
                best = i;
            }
            else if (power > runnerUp)
            {
                runnerUp = power;
            }
        }
        return (best, bestPower, runnerUp);
    }

    /// <summary>The two frequencies of a DTMF key, for generating it.</summary>
    public static (double Row, double Column) FrequenciesOf(char key)
    {
        for (var r = 0; r < 4; r++)
        for (var c = 0; c < 4; c++)
        {
            if (Keys[r, c] == char.ToUpperInvariant(key))
                return (RowHz[r], ColumnHz[c]);
        }
        throw new ArgumentOutOfRangeException(nameof(key), key, "Not a DTMF key (0-9, *, #, A-D).");
    }
}
