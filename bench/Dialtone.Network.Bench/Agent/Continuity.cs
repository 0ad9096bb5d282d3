using System.Diagnostics;
using Dialtone.Phone.Audio;

namespace Dialtone.Network.Agent;

/// <summary>How continuously the peer's tone arrived over a stretch of a call.</summary>
internal sealed record Continuity(double HeardRatio, long LongestGapMs, IReadOnlyList<Continuity.Gap> Gaps)
{
    /// <summary>A stretch of at least 200 ms without the tone, starting <see cref="AtMs"/> on the call's clock.</summary>
    public sealed record Gap(long AtMs, long Ms);

    /// <summary>Samples the meter every 50 ms for <paramref name="duration"/> (or until the call ends).</summary>
    public static async Task<Continuity> MeasureAsync(ToneMeter meter, TimeSpan duration, Task ended, Stopwatch clock, CancellationToken cancel)
    {
        var startFrames = meter.Frames;
        var startTone = meter.ToneFrames;
        var lastTone = startTone;
        var lastHeardAt = clock.ElapsedMilliseconds;
        long longestGap = 0;
        var gaps = new List<Gap>();
        var until = clock.Elapsed + duration;
        while (clock.Elapsed < until && !ended.IsCompleted)
        {
            await Task.Delay(50, cancel);
            var now = clock.ElapsedMilliseconds;
            var tone = meter.ToneFrames;
            if (tone != lastTone)
            {
                if (now - lastHeardAt >= 250)
                    gaps.Add(new Gap(lastHeardAt, now - lastHeardAt - 50));
                lastTone = tone;
                lastHeardAt = now;
            }
            longestGap = Math.Max(longestGap, now - lastHeardAt);
        }
        if (clock.ElapsedMilliseconds - lastHeardAt >= 250)
            gaps.Add(new Gap(lastHeardAt, clock.ElapsedMilliseconds - lastHeardAt));
        var frames = meter.Frames - startFrames;
        var ratio = frames == 0 ? 0 : (double)(meter.ToneFrames - startTone) / frames;
        return new Continuity(Math.Round(ratio, 3), longestGap, gaps);
    }
}
