using Dialtone.Phone.Audio;

namespace Dialtone.Cli.Tests.Softphone;

/// <summary>Tone measurements on recorded audio (48 kHz mono), by 10 ms blocks.</summary>
internal static class SoundCheck
{
    /// <summary>The median share of each 10 ms block's energy at <paramref name="hz"/>: robust to a little silence at either end.</summary>
    public static double MedianToneShare(short[] samples, double hz)
    {
        var filter = new GoertzelFilter(hz, 48000);
        var shares = new List<double>();
        for (var at = 0; at + 480 <= samples.Length; at += 480)
            shares.Add(filter.RelativePower(samples.AsSpan(at, 480)));
        shares.Sort();
        return shares.Count == 0 ? 0 : shares[shares.Count / 2];
    }

    /// <summary>
    /// The median level of the tone alone over 10 ms blocks (RMS × √share): a decoder's fading
    /// continuation or comfort noise after the sender fell silent is no longer the tone at its level.
    /// </summary>
    public static double MedianToneLevel(short[] samples, double hz)
    {
        var filter = new GoertzelFilter(hz, 48000);
        var levels = new List<double>();
        for (var at = 0; at + 480 <= samples.Length; at += 480)
        {
            var block = samples.AsSpan(at, 480);
            double sum = 0;
            foreach (var s in block)
                sum += (double)s * s;
            levels.Add(Math.Sqrt(sum / block.Length) * Math.Sqrt(filter.RelativePower(block)));
        }
        levels.Sort();
        return levels.Count == 0 ? 0 : levels[levels.Count / 2];
    }

    /// <summary>Waits (bounded) until the meter heard the tone for <paramref name="duration"/> since its last reset.</summary>
    public static async Task<bool> HeardWithinAsync(ToneMeter meter, TimeSpan duration, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!meter.Heard(duration) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return meter.Heard(duration);
    }
}
