namespace Dialtone.Phone.Tests.Calls;

/// <summary>Polls a condition that real media and signalling make true soon, with a generous bound.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    public static Task True(Func<bool> condition, string? what = null) => True(condition, () => what ?? "condition");

    /// <summary>As <see cref="True(Func{bool}, string?)"/>; <paramref name="explain"/> says what was seen when it times out.</summary>
    public static async Task True(Func<bool> condition, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not reached within {Generous.TotalSeconds} s: {explain()}");
            await Task.Delay(20);
        }
    }
}
