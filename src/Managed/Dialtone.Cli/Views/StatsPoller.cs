namespace Dialtone.Cli.Views;

/// <summary>Samples every monitored party twice a second and hands the figures to the view.</summary>
internal static class StatsPoller
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(IReadOnlyList<CallMonitor> monitors, ICallView view, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var monitor in monitors)
                    await monitor.SampleAsync(cancellationToken).ConfigureAwait(false);
                view.Update(monitors.Select(m => m.Status).ToList());
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
