namespace Dialtone.Phone.Tests.Calls;

/// <summary>Polls a condition that real media and signalling make true soon, with a generous bound.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    public static async Task True(Func<bool> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not reached within {Generous.TotalSeconds} s: {what ?? "condition"}");
            await Task.Delay(20);
        }
    }
}
