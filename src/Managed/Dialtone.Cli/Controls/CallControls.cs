using System.Threading.Channels;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Controls;

/// <summary>
/// Carries out the user's controls on one established call: hang up, mute, hold/resume, DTMF,
/// transfer, volume. Each outcome is told in the view; a control that cannot work now (volume on a
/// file device, a transfer refused) says why and leaves the call as it was.
/// </summary>
internal sealed class CallControls(Call call, PeerConnectionFactory factory, ICallView view)
{
    /// <summary>Digits as gateways and IVRs take them (a 160 ms digit was seen lost on a loaded machine).</summary>
    public static readonly TimeSpan DigitDuration = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DigitGap = TimeSpan.FromMilliseconds(100);

    private readonly Channel<string> _digits = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _hungUp;

    /// <summary>The user hung up with a control (before an answer, that is giving up, not a failure).</summary>
    public bool HungUp => _hungUp;

    /// <summary>Applies controls until the call ends (or <paramref name="cancellationToken"/>: Ctrl+C, --duration).</summary>
    public async Task RunUntilEndedAsync(ChannelReader<Control> controls, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = SendDigitsAsync(stop.Token);
        try
        {
            while (true)
            {
                var ready = controls.WaitToReadAsync(stop.Token).AsTask();
                // Stop when the call ends, the caller stops us (token), or the input is finished.
                if (await Task.WhenAny(ready, call.Ended).ConfigureAwait(false) != ready || ready.IsCanceled || !await ready.ConfigureAwait(false))
                    break;
                while (controls.TryRead(out var control))
                    Apply(control);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(false);
        }
    }

    private void Apply(Control control)
    {
        switch (control)
        {
            case Hangup:
                _hungUp = true;
                view.Event("you", "hanging up");
                _ = Run("hang up", async () =>
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await call.HangupAsync(timeout.Token).ConfigureAwait(false);
                });
                break;
            case Mute mute:
                call.Muted = mute.On ?? !call.Muted;
                view.Event("you", call.Muted ? "microphone muted: the peer hears silence" : "microphone on");
                break;
            case Hold hold:
                var holding = hold.On ?? !call.IsLocalHold;
                view.Event("you", holding ? "putting the call on hold" : "resuming the call");
                _ = Run(holding ? "hold" : "resume", () => holding ? call.HoldAsync() : call.ResumeAsync());
                break;
            case Digits digits:
                _digits.Writer.TryWrite(digits.Value.ToUpperInvariant());
                break;
            case Transfer transfer:
                StartTransfer(transfer.Target);
                break;
            case Volume volume:
                ChangeVolume(volume);
                break;
            case Answer or Reject:
                view.Event("you", "nothing is ringing");
                break;
            case Unknown unknown:
                view.Event("you", $"not a command: '{Text.Escape(unknown.Text)}' (commands: {CommandLineInput.Help})");
                break;
        }
    }

    /// <summary>Digits go out one key press at a time, each after the last has finished playing.</summary>
    private async Task SendDigitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var digits in _digits.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await call.SendDtmfAsync(digits, DigitDuration, DigitGap, cancellationToken: cancellationToken).ConfigureAwait(false);
                    view.Event("you", $"sent DTMF {digits}");
                    await Task.Delay((DigitDuration + DigitGap) * digits.Length, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebRtcException or ObjectDisposedException or InvalidOperationException or ArgumentException)
                {
                    view.Event("you", $"could not send DTMF {digits}: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void StartTransfer(string target)
    {
        if (!Addresses.TryParse(target, out var uri, out _))
        {
            view.Event("you", $"cannot transfer: '{Text.Escape(target)}' is not a SIP address like sip:carol@example.com");
            return;
        }
        view.Event("you", $"transferring to {uri}");
        _ = Run("transfer", async () =>
        {
            var status = await call.TransferAsync(uri).ConfigureAwait(false);
            view.Event("you", status is >= 200 and < 300 ? $"transferred to {uri}" : $"the transfer failed ({status}); the call goes on");
        });
    }

    private void ChangeVolume(Volume volume)
    {
        var speaker = volume.Direction == AudioDeviceDirection.Output;
        try
        {
            var now = speaker ? factory.SpeakerVolume : factory.MicrophoneVolume;
            var next = Math.Clamp(volume.Relative ? now + volume.Amount : volume.Amount, 0, 1);
            next = Math.Round(next, 2);
            if (speaker)
                factory.SpeakerVolume = next;
            else
                factory.MicrophoneVolume = next;
            view.Event("you", $"{(speaker ? "speaker" : "microphone")} volume {next * 100:0} %");
        }
        catch (WebRtcException)
        {
            view.Event("you", "volume works with the sound server's microphone and speaker only (not with --play or --no-audio)");
        }
    }

    /// <summary>Runs an operation in the background, telling the view when it fails; it never goes unobserved.</summary>
    private async Task Run(string what, Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            view.Event("you", $"could not {what}: {ErrorReport.Describe(e)}");
        }
    }
}
