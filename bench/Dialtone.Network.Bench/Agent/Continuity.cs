using Dialtone.Phone;
using Dialtone.Phone.Audio;

namespace Dialtone.Network.Agent;

/// <summary>How continuously the peer's tone arrived over a stretch of a call.</summary>
internal sealed record Continuity(double HeardRatio, long LongestGapMs)
{
    /// <summary>Samples the meter every 50 ms for <paramref name="duration"/> (or until the call ends).</summary>
    public static async Task<Continuity> MeasureAsync(ToneMeter meter, TimeSpan duration, Task ended, CancellationToken cancel)
    {
        var startFrames = meter.Frames;
        var startTone = meter.ToneFrames;
        var lastTone = startTone;
        var lastHeardAt = DateTime.UtcNow;
        long longestGap = 0;
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until && !ended.IsCompleted)
        {
            await Task.Delay(50, cancel);
            var now = DateTime.UtcNow;
            var tone = meter.ToneFrames;
            if (tone != lastTone)
            {
                lastTone = tone;
                lastHeardAt = now;
            }
            longestGap = Math.Max(longestGap, (long)(now - lastHeardAt).TotalMilliseconds);
        }
        var frames = meter.Frames - startFrames;
        var ratio = frames == 0 ? 0 : (double)(meter.ToneFrames - startTone) / frames;
        return new Continuity(Math.Round(ratio, 3), longestGap);
    }
}
