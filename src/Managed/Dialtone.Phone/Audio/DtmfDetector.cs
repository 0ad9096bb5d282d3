namespace Dialtone.Phone.Audio;

/// <summary>
/// Recognises DTMF digits in decoded audio (ITU-T Q.23 frequency pairs) — how a softphone learns the
/// digits a peer sent as RFC 4733 telephone-events, which libwebrtc's jitter buffer plays out as tones.
/// Feed it consecutive blocks (10–20 ms). A digit is reported once its tone has lasted 30 ms; the
/// same digit again only after a pause of at least 40 ms (ITU-T Q.24), so a tone with a short
/// dropout — the jitter buffer renders events in pieces — is not counted twice. Allocates nothing.
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

    private const double MinToneMs = 30;
    private const double MinPauseMs = 40;

    private readonly GoertzelFilter[] _rows;
    private readonly GoertzelFilter[] _columns;
    private readonly int _sampleRateHz;
    private char? _candidate;
    private double _candidateMs;
    private char? _lastReported;
    private double _pauseMs;

    public DtmfDetector(int sampleRateHz)
    {
        _sampleRateHz = sampleRateHz;
        _rows = RowHz.Select(f => new GoertzelFilter(f, sampleRateHz)).ToArray();
        _columns = ColumnHz.Select(f => new GoertzelFilter(f, sampleRateHz)).ToArray();
    }

    /// <summary>Examines one block; returns a digit the first time its tone is confirmed.</summary>
    public char? Process(ReadOnlySpan<short> block)
    {
        var blockMs = block.Length * 1000.0 / _sampleRateHz;
        var key = Classify(block);
        if (key is null)
        {
            _candidate = null;
            _pauseMs += blockMs;
            if (_pauseMs >= MinPauseMs)
                _lastReported = null;
            return null;
        }
        _pauseMs = 0;
        if (key != _candidate)
        {
            _candidate = key;
            _candidateMs = 0;
        }
        _candidateMs += blockMs;
        if (_candidateMs < MinToneMs || key == _lastReported)
            return null;
        _lastReported = key;
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
