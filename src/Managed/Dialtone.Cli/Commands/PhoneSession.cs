using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Phone;
using Dialtone.Sip.Auth;
using Dialtone.Sip.UserAgent;
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

    public static async Task<PhoneSession> StartAsync(CliSettings settings, CliHost host, CallAudio audio, CancellationToken cancellationToken)
    {
        var loggers = Logging.Create(settings.Verbose == true);
        try
        {
            var options = UserAgentOptionsFactory.Create(settings, host, audio.Options, loggers);
            UserAgent agent;
            try
            {
                agent = await UserAgent.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCode.Usage, e.Message, e);
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

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            foreach (var call in Agent.Calls)
                await call.HangupAsync(timeout.Token).ConfigureAwait(false);
            if (Agent.RegistrationState is RegistrationState.Registered or RegistrationState.Recovering)
                await Agent.UnregisterAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or Sip.Transport.SipTransportException
            or Sip.Transactions.SipTransactionTimeoutException)
        {
            // Leaving anyway: the server forgets us when the registration expires.
        }
        await _audio.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Agent.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Seen once when the server had gone away while we were quitting; nothing is left to wait for.
        }
        _loggers.Dispose();
    }
}
