using Dialtone.Legacy.Tests.Rtp;

namespace Dialtone.Legacy.Tests.Phone;

/// <summary>Bounded waits for what media tests measure (generous: the machine is loaded).</summary>
internal static class Tones
{
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    /// <summary>The last half second <paramref name="pump"/> played holds <paramref name="tone"/>, well above <paramref name="other"/>.</summary>
    public static Task<bool> HearsAsync(TonePump pump, double tone, double other) => EventuallyAsync(() =>
    {
        short[] heard = pump.Recent(24000);
        double wanted = heard.Length == 24000 ? TonePump.Amplitude(heard, tone) : 0;
        return wanted > 500 && wanted > 4 * TonePump.Amplitude(heard, other);
    });
}
