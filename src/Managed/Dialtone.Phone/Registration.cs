using System.Globalization;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>The server refused a REGISTER with a final status other than a digest challenge.</summary>
public sealed class SipRegistrationException(int statusCode, string reasonPhrase)
    : Exception($"Registration refused: {statusCode} {reasonPhrase}")
{
    public int StatusCode { get; } = statusCode;

    public string ReasonPhrase { get; } = reasonPhrase;
}

/// <summary>
/// The user agent's binding at its registrar (RFC 3261 §10.2): REGISTER with our Contact, digest
/// challenges answered, 423 answered with the server's Min-Expires, refreshed before it lapses,
/// removed with Expires: 0.
/// </summary>
internal sealed partial class Registration(UserAgent ua) : IAsyncDisposable
{
    private readonly string _callId = SipIds.NewCallId();
    private readonly string _fromTag = SipIds.NewTag();
    private readonly ILogger _logger = ua.LoggerFactory.CreateLogger<Registration>();
    private long _cseq;
    private ITimer? _refresh;

    public bool IsRegistered { get; private set; }

    public TimeSpan GrantedExpires { get; private set; }

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var expires = ua.Options.RegisterExpires;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var response = await SendAsync(expires, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                GrantedExpires = GrantedBy(response) ?? expires;
                IsRegistered = true;
                ScheduleRefresh();
                Log.Registered(_logger, ua.Identity.Uri.ToString(), GrantedExpires.TotalSeconds);
                return;
            }
            if (response.StatusCode == 423 && response.Headers[SipHeaderNames.MinExpires] is { } min
                && int.TryParse(min, NumberStyles.None, CultureInfo.InvariantCulture, out var minSeconds))
            {
                expires = TimeSpan.FromSeconds(minSeconds);
                continue;
            }
            IsRegistered = false;
            throw new SipRegistrationException(response.StatusCode, response.ReasonPhrase);
        }
        throw new SipRegistrationException(423, "Interval Too Brief (the server kept asking for longer)");
    }

    public async Task UnregisterAsync(CancellationToken cancellationToken)
    {
        _refresh?.Dispose();
        if (!IsRegistered)
            return;
        IsRegistered = false;
        await SendAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    private Task<SipResponse> SendAsync(TimeSpan expires, CancellationToken cancellationToken)
    {
        var aor = ua.Options.AddressOfRecord;
        var registrar = new SipUri(aor.Host, aor.Port) { IsSecure = aor.IsSecure };
        var register = SipRequestFactory.Create(SipMethods.Register, registrar, new SipAddress(aor).WithTag(_fromTag), new SipAddress(aor),
            _callId, Interlocked.Increment(ref _cseq));
        register.Headers.Add(SipHeaderNames.Contact, ua.Contact.WithParameter("expires", ((int)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture)).ToString());
        register.Expires = (int)expires.TotalSeconds;
        return ua.Digest is { } digest
            ? ua.Stack.SendWithAuthenticationAsync(register, digest, ua.Connection.SendOptions, cancellationToken)
            : ua.Stack.SendRequestAsync(register, ua.Connection.SendOptions, cancellationToken);
    }

    /// <summary>The expiry the registrar granted our contact (its expires parameter, else the Expires header).</summary>
    private TimeSpan? GrantedBy(SipResponse response)
    {
        foreach (var contact in response.Contacts)
        {
            if (contact.SipUri is { } uri && uri.Host == ua.Contact.SipUri!.Host && contact.Parameters.Get("expires") is { } text
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(seconds);
        }
        return response.Expires is { } header ? TimeSpan.FromSeconds(header) : null;
    }

    private void ScheduleRefresh()
    {
        _refresh?.Dispose();
        // Refresh at 80% of the lifetime, and no later than 30 s before it lapses.
        var due = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Math.Min((long)(GrantedExpires.Ticks * 0.8), (GrantedExpires - TimeSpan.FromSeconds(30)).Ticks)));
        _refresh = ua.Options.TimeProvider.CreateTimer(_ => _ = RefreshAsync(), null, due, Timeout.InfiniteTimeSpan);
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await RegisterAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            IsRegistered = false;
            Log.RefreshFailed(_logger, ua.Identity.Uri.ToString(), e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await UnregisterAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.RefreshFailed(_logger, ua.Identity.Uri.ToString(), e.Message);
        }
        _refresh?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "registered {Aor} for {Seconds} s")]
        public static partial void Registered(ILogger logger, string aor, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "registration of {Aor} failed: {Error}")]
        public static partial void RefreshFailed(ILogger logger, string aor, string error);
    }
}
