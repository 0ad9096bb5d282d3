using System.Globalization;
using Dialtone.Sip.Message;

namespace Dialtone.Server;

/// <summary>
/// The registrar of RFC 3261 §10.3 over an in-memory location service. Bindings expire lazily (read
/// against the clock), and go when the flow they registered over closes: a WebSocket client can
/// only be reached over its own connection.
/// </summary>
internal sealed class Registrar(EmbeddedSipServerOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<RegistrationBinding>> _bindings = new(StringComparer.Ordinal);

    public SipResponse Register(SipRequest request, SipFlow flow)
    {
        if (request.RequestUri is not SipUri requestUri || !IsOurDomain(requestUri.Host))
            return Reply(request, 404, "Not Found (domain not served here)");
        if (request.To?.SipUri is not { User: { Length: > 0 } } toUri || !IsOurDomain(toUri.Host))
            return Reply(request, 404, "Not Found (address of record not in this domain)");
        var unsupported = request.Headers.Values(SipHeaderNames.Require)
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(option => !option.Equals("outbound", StringComparison.OrdinalIgnoreCase) && !option.Equals("path", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (unsupported.Count > 0)
        {
            var badExtension = Reply(request, 420);
            badExtension.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
            return badExtension;
        }

        var aor = AddressOfRecord(toUri.User!);
        var contacts = request.Contacts;
        var now = options.TimeProvider.GetUtcNow();
        lock (_lock)
        {
            if (contacts.Any(c => c.IsWildcard))
            {
                if (contacts.Count != 1 || request.Expires != 0)
                    return Reply(request, 400, "Bad Request (Contact * needs Expires: 0 and no other contact)");
                _bindings.Remove(aor);
                return Ok(request, aor, now);
            }

            foreach (var contact in contacts)
            {
                if (contact.SipUri is null)
                    return Reply(request, 400, "Bad Request (Contact is not a SIP URI)");
                var requested = RequestedExpires(contact, request);
                if (requested is null)
                    return Reply(request, 400, "Bad Request (expires is not a number)");
                if (requested > TimeSpan.Zero && requested < options.MinExpires)
                {
                    var tooBrief = Reply(request, 423);
                    tooBrief.Headers.Add(SipHeaderNames.MinExpires, ((int)options.MinExpires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                    return tooBrief;
                }
            }

            var list = _bindings.TryGetValue(aor, out var existing) ? existing : _bindings[aor] = [];
            foreach (var contact in contacts)
            {
                var granted = RequestedExpires(contact, request)!.Value;
                if (granted > options.MaxExpires)
                    granted = options.MaxExpires;
                var bare = contact with { Parameters = contact.Parameters.Without("expires") };
                list.RemoveAll(b => b.Contact.Uri.Equals(bare.Uri));
                if (granted > TimeSpan.Zero)
                    list.Add(new RegistrationBinding(aor, bare, flow.Id, now + granted));
            }
            if (list.Count == 0)
                _bindings.Remove(aor);
            var response = Ok(request, aor, now);
            if (contacts.Any(c => c.Parameters.Contains("reg-id")) && Supports(request, "outbound"))
                response.Headers.Add(SipHeaderNames.Require, "outbound");
            return response;
        }
    }

    /// <summary>The newest unexpired binding of <paramref name="user"/>, or null.</summary>
    public RegistrationBinding? Lookup(string user)
    {
        var now = options.TimeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_bindings.TryGetValue(AddressOfRecord(user), out var list))
                return null;
            list.RemoveAll(b => b.ExpiresAt <= now);
            return list.Count == 0 ? null : list.MaxBy(b => b.ExpiresAt);
        }
    }

    /// <summary>The flow whose registered contact has <paramref name="host"/> (in-dialog requests target the contact).</summary>
    public string? FlowOfContactHost(string host)
    {
        lock (_lock)
            return _bindings.Values.SelectMany(l => l).FirstOrDefault(b => string.Equals(b.ContactHost, host, StringComparison.OrdinalIgnoreCase))?.FlowId;
    }

    public void RemoveFlow(string flowId)
    {
        lock (_lock)
        {
            foreach (var (aor, list) in _bindings.ToList())
            {
                list.RemoveAll(b => b.FlowId == flowId);
                if (list.Count == 0)
                    _bindings.Remove(aor);
            }
        }
    }

    public IReadOnlyList<RegistrationBinding> Snapshot()
    {
        var now = options.TimeProvider.GetUtcNow();
        lock (_lock)
            return _bindings.Values.SelectMany(l => l).Where(b => b.ExpiresAt > now).ToList();
    }

    public bool IsOurDomain(string host) => string.Equals(host, options.Domain, StringComparison.OrdinalIgnoreCase);

    private string AddressOfRecord(string user) => $"{user}@{options.Domain.ToLowerInvariant()}";

    private TimeSpan? RequestedExpires(SipAddress contact, SipRequest request)
    {
        if (contact.Parameters.Get("expires") is { } text)
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return request.Expires is { } header ? TimeSpan.FromSeconds(header) : options.DefaultExpires;
    }

    private SipResponse Ok(SipRequest request, string aor, DateTimeOffset now)
    {
        var response = Reply(request, 200);
        if (_bindings.TryGetValue(aor, out var list))
        {
            foreach (var binding in list)
            {
                var remaining = (int)Math.Ceiling((binding.ExpiresAt - now).TotalSeconds);
                response.Headers.Add(SipHeaderNames.Contact, binding.Contact.WithParameter("expires", remaining.ToString(CultureInfo.InvariantCulture)).ToString());
            }
        }
        return response;
    }

    private static bool Supports(SipRequest request, string option) =>
        request.Headers.Values(SipHeaderNames.Supported).Any(v => v.Split(',', StringSplitOptions.TrimEntries).Contains(option, StringComparer.OrdinalIgnoreCase));

    private static SipResponse Reply(SipRequest request, int status, string? reason = null) =>
        SipProxyCore.WithToTag(SipResponse.CreateFor(request, status, reason), request);
}
