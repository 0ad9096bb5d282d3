using System.Threading.Channels;

namespace Dialtone.Cli.Controls;

/// <summary>
/// Reads keys from the terminal without echo and turns them into controls through a <see cref="KeyMap"/>.
/// Polls <see cref="Console.KeyAvailable"/> (a blocked ReadKey could not be stopped when the call ends).
/// </summary>
internal static class KeyboardInput
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(30);

    public static async Task RunAsync(KeyMap keys, ChannelWriter<Control> controls, Action changed, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (Console.KeyAvailable)
                {
                    var control = keys.Handle(Console.ReadKey(intercept: true));
                    changed();
                    if (control is not null)
                        await controls.WriteAsync(control, cancellationToken).ConfigureAwait(false);
                }
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException)
        {
            // The terminal went away (input redirected after all): no more keys; Ctrl+C still works.
        }
    }
}
