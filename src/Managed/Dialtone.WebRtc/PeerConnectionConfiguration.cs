namespace Dialtone.WebRtc;

/// <summary>A STUN or TURN server (W3C RTCIceServer). The credential is never logged.</summary>
public sealed record IceServer
{
    public IceServer(IEnumerable<string> urls, string? username = null, string? credential = null)
    {
        Urls = urls.ToArray();
        if (Urls.Count == 0)
        {
            throw new ArgumentException("An ICE server needs at least one URL.", nameof(urls));
        }

        foreach (string url in Urls)
        {
            if (!(url.StartsWith("stun:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("stuns:", StringComparison.OrdinalIgnoreCase)
                  || url.StartsWith("turn:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"'{url}' is not a stun:, stuns:, turn: or turns: URL.", nameof(urls));
            }
        }

        Username = username;
        Credential = credential;
    }

    public IceServer(string url, string? username = null, string? credential = null)
        : this([url], username, credential)
    {
    }

    public IReadOnlyList<string> Urls { get; }

    public string? Username { get; }

    public string? Credential { get; }

    // Keep the password out of ToString (records print every property).
    public override string ToString() => $"IceServer {{ Urls = {string.Join(", ", Urls)}, Username = {Username} }}";
}

/// <summary>W3C RTCConfiguration, the parts the shim supports.</summary>
public sealed record PeerConnectionConfiguration
{
    public IReadOnlyList<IceServer> IceServers { get; init; } = [];

    public IceTransportPolicy IceTransportPolicy { get; init; } = IceTransportPolicy.All;

    public BundlePolicy BundlePolicy { get; init; } = BundlePolicy.MaxBundle;

    /// <summary>Candidates gathered before an offer exists (0–255).</summary>
    public int IceCandidatePoolSize { get; init; }

    /// <summary>Local UDP port range for ICE; both 0 means any port.</summary>
    public ushort MinPort { get; init; }

    public ushort MaxPort { get; init; }

    internal void Validate()
    {
        if (IceCandidatePoolSize is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(IceCandidatePoolSize), IceCandidatePoolSize, "must be 0..255");
        }

        if ((MinPort == 0) != (MaxPort == 0) || MinPort > MaxPort)
        {
            throw new ArgumentException($"Port range {MinPort}..{MaxPort} is invalid: set both (min <= max) or neither.");
        }
    }
}

/// <summary>Options of CreateOffer/CreateAnswer.</summary>
public sealed record OfferAnswerOptions
{
    /// <summary>Offers only: new ICE credentials (an ICE restart).</summary>
    public bool IceRestart { get; init; }

    public bool VoiceActivityDetection { get; init; } = true;
}

/// <summary>W3C RTCDataChannelInit.</summary>
public sealed record DataChannelOptions
{
    public bool Ordered { get; init; } = true;

    /// <summary>Null: not limited. At most one of MaxRetransmits and MaxPacketLifeTime may be set.</summary>
    public int? MaxRetransmits { get; init; }

    public TimeSpan? MaxPacketLifeTime { get; init; }

    public string? Protocol { get; init; }

    /// <summary>Set when both sides agree on the id out of band (no in-band open handshake).</summary>
    public int? NegotiatedId { get; init; }

    internal void Validate()
    {
        if (MaxRetransmits is not null && MaxPacketLifeTime is not null)
        {
            throw new ArgumentException("Set at most one of MaxRetransmits and MaxPacketLifeTime.");
        }

        if (MaxRetransmits is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetransmits), MaxRetransmits, "must be >= 0");
        }

        if (MaxPacketLifeTime is { } life && (life < TimeSpan.Zero || life.TotalMilliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPacketLifeTime), life, "must be >= 0");
        }

        if (NegotiatedId is < 0 or > 65534)
        {
            throw new ArgumentOutOfRangeException(nameof(NegotiatedId), NegotiatedId, "must be 0..65534");
        }
    }
}
