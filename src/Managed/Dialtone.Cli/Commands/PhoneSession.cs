using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Phone;
using Dialtone.Sip.Auth;
using Dialtone.Sip.UserAgent;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Cli.Commands;

/// <summary>
/// A connected user agent for register, call and listen, built from the merged settings, with its
/// audio running and its logging; disposing hangs up, unregisters and disconnects.
/// </summary>
internal sealed class PhoneSession : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly CallAudio _audio;
    private volatile bool _closing;

    private PhoneSession(UserAgent agent, ILoggerFactory loggers, CallAudio audio, CliSettings settings)
    {
        Agent = agent;
        _loggers = loggers;
        _audio = audio;
        Settings = settings;
    }

    public UserAgent Agent { get; }

    public CliSettings Settings { get; }

    public bool Verbose => Settings.Verbose == true;

    /// <summary>The audio the calls use (what the view shows, whether volume applies).</summary>
    public CallAudio Audio => _audio;

    public static async Task<PhoneSession> StartAsync(CliSettings settings, CliHost host, CallAudio audio, CancellationToken cancellationToken,
        TimeSpan? noAnswerTimeout = null)
    {
        var loggers = Logging.Create(settings.Verbose == true);
        try
        {
            var options = UserAgentOptionsFactory.Create(settings, host, audio.Options, loggers) with { NoAnswerTimeout = noAnswerTimeout };
            await UdpProbe.CheckAsync(options.Server, cancellationToken).ConfigureAwait(false);
            UserAgent agent;
            try
            {
                agent = await UserAgent.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCode.Usage, e.Message, e);
            }
            catch (WebRtcException e) when (audio.UsesSoundServer)
            {
                // Listed a moment ago, gone now (the server stopped, the device was unplugged).
                throw new CliException(ExitCode.NoSoundDevice, $"The sound device could not be opened: {SoundDevices.WebRtcReason(e)}.", e);
            }
            catch (WebRtcException e)
            {
                throw new CliException(ExitCode.Usage, $"The audio engine refused the audio file: {SoundDevices.WebRtcReason(e)}.", e);
            }
            catch (Exception e) when (e is not (CliException or OperationCanceledException or FileNotFoundException))
            {
                throw new CliException(ExitCode.ServerUnreachable, $"Cannot reach the SIP server {options.Server}: {e.Message}", e);
            }
            audio.Start(agent.MediaFactory);
            return new PhoneSession(agent, loggers, audio, settings);
        }
        catch
        {
            await audio.DisposeAsync().ConfigureAwait(false);
            loggers.Dispose();
            throw;
        }
    }

    /// <summary>Registers; a refusal becomes exit code 3 with the server's reason.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Agent.RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SipAuthenticationException e)
        {
            var hint = Agent.Options.Credentials is null
                ? $" No password was given: set {Settings.PasswordEnv ?? CliSettings.DefaultPasswordVariable} or run at a terminal to be asked."
                : " Check --auth-user and the password.";
            throw new CliException(ExitCode.RegistrationFailed, $"Authentication failed: {e.Message}.{hint}", e);
        }
        catch (SipRequestFailedException e)
        {
            throw new CliException(ExitCode.RegistrationFailed, $"The server refused the registration: {e.StatusCode} {e.Response.ReasonPhrase}.", e);
        }
    }

    /// <summary>Tells the user when the registration is lost, recovered or refused while they wait.</summary>
    public void ReportRegistrationChanges(Action<string> write)
    {
        var recovering = false;
        Agent.RegistrationStateChanged += (_, e) =>
        {
            if (_closing)
                return; // our own shutdown closes the connection; that is no news
            switch (e.State)
            {
                case RegistrationState.Recovering:
                    recovering = true;
                    write($"lost the connection to the server ({e.Error?.Message}); reconnecting");
                    break;
                case RegistrationState.Registered when recovering:
                    recovering = false;
                    write("registered again");
                    break;
                case RegistrationState.Failed:
                    write($"registration failed: {e.Error?.Message}");
                    break;
            }
        };
    }

    /// <summary>Hangs up, unregisters and disconnects through the Phone layer's disposal (bounded, never throws), then stops the audio.</summary>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        // The pump feeds the engine that the user agent releases: stop it first.
        await _audio.DisposeAsync().ConfigureAwait(false);
        await Agent.DisposeAsync().ConfigureAwait(false);
        _loggers.Dispose();
    }
}
