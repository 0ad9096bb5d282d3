using System.Text.Json;

namespace Dialtone.WebRtc;

/// <summary>
/// W3C RTCStatsReport: every stats object by id, with typed views of the common ones. The raw JSON
/// of each object stays reachable through <see cref="RtcStats.Raw"/> for anything not typed here.
/// </summary>
public sealed class RtcStatsReport
{
    private readonly Dictionary<string, RtcStats> byId;

    private RtcStatsReport(string json, Dictionary<string, RtcStats> byId)
    {
        Json = json;
        this.byId = byId;
    }

    /// <summary>The report as the shim delivered it.</summary>
    public string Json { get; }

    public IReadOnlyDictionary<string, RtcStats> ById => byId;

    public IEnumerable<RtcStats> All => byId.Values;

    public IEnumerable<RtcCodecStats> Codecs => OfType<RtcCodecStats>();

    public IEnumerable<RtcOutboundRtpStats> OutboundRtp => OfType<RtcOutboundRtpStats>();

    public IEnumerable<RtcInboundRtpStats> InboundRtp => OfType<RtcInboundRtpStats>();

    public IEnumerable<RtcRemoteInboundRtpStats> RemoteInboundRtp => OfType<RtcRemoteInboundRtpStats>();

    public IEnumerable<RtcCandidatePairStats> CandidatePairs => OfType<RtcCandidatePairStats>();

    /// <summary>The pair the transport selected, else a nominated succeeded pair.</summary>
    public RtcCandidatePairStats? SelectedCandidatePair
    {
        get
        {
            foreach (var transport in OfType("transport"))
            {
                if (transport.GetString("selectedCandidatePairId") is { } id && byId.TryGetValue(id, out var pair) && pair is RtcCandidatePairStats selected)
                {
                    return selected;
                }
            }

            return CandidatePairs.FirstOrDefault(p => p.Nominated == true && p.State == "succeeded");
        }
    }

    public IEnumerable<RtcStats> OfType(string type) => byId.Values.Where(s => s.Type == type);

    /// <summary>The codec an RTP stats object refers to (its codecId).</summary>
    public RtcCodecStats? CodecOf(RtcRtpStreamStats stream) =>
        stream.CodecId is { } id && byId.TryGetValue(id, out var codec) ? codec as RtcCodecStats : null;

    /// <summary>
    /// Parses the JSON report: an array of stats objects (libwebrtc's RTCStatsReport::ToJson), or an
    /// object keyed by id (the browser's JSON form of a Map).
    /// </summary>
    public static RtcStatsReport Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        IEnumerable<JsonElement> items = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray(),
            JsonValueKind.Object => root.EnumerateObject().Select(p => p.Value),
            _ => throw new FormatException($"A stats report is a JSON array or object, not {root.ValueKind}."),
        };

        var byId = new Dictionary<string, RtcStats>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A stats entry is not a JSON object.");
            }

            var raw = item.Clone();
            string id = raw.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : throw new FormatException("A stats entry has no string id.");
            string type = raw.TryGetProperty("type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString()! : throw new FormatException($"Stats entry '{id}' has no string type.");
            byId[id] = type switch
            {
                "codec" => new RtcCodecStats(raw),
                "outbound-rtp" => new RtcOutboundRtpStats(raw),
                "inbound-rtp" => new RtcInboundRtpStats(raw),
                "remote-inbound-rtp" => new RtcRemoteInboundRtpStats(raw),
                "candidate-pair" => new RtcCandidatePairStats(raw),
                _ => new RtcStats(raw),
            };
        }

        return new RtcStatsReport(json, byId);
    }

    private IEnumerable<T> OfType<T>() where T : RtcStats => byId.Values.OfType<T>();
}

/// <summary>One stats object (W3C RTCStats): id, type, timestamp and the raw JSON members.</summary>
public class RtcStats
{
    internal RtcStats(JsonElement raw)
    {
        Raw = raw;
        Id = raw.GetProperty("id").GetString()!;
        Type = raw.GetProperty("type").GetString()!;
        Timestamp = GetDouble("timestamp");
    }

    public string Id { get; }

    public string Type { get; }

    /// <summary>Milliseconds (W3C DOMHighResTimeStamp); libwebrtc's JSON may use microseconds.</summary>
    public double? Timestamp { get; }

    public JsonElement Raw { get; }

    public string? GetString(string name) =>
        Raw.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public double? GetDouble(string name) =>
        Raw.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>An integer member; large counters may be sent as numbers or (64-bit) as strings.</summary>
    public long? GetInt64(string name)
    {
        if (!Raw.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out long l) => l,
            JsonValueKind.Number => (long)v.GetDouble(),
            JsonValueKind.String when long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long s) => s,
            _ => null,
        };
    }

    public bool? GetBoolean(string name) =>
        Raw.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    public override string ToString() => Raw.GetRawText();
}

/// <summary>"codec": a negotiated payload type.</summary>
public sealed class RtcCodecStats : RtcStats
{
    internal RtcCodecStats(JsonElement raw) : base(raw)
    {
    }

    /// <summary>e.g. "audio/opus".</summary>
    public string? MimeType => GetString("mimeType");

    public long? PayloadType => GetInt64("payloadType");

    public long? ClockRate => GetInt64("clockRate");

    public long? Channels => GetInt64("channels");

    public string? SdpFmtpLine => GetString("sdpFmtpLine");
}

/// <summary>Members shared by the RTP stream stats.</summary>
public abstract class RtcRtpStreamStats : RtcStats
{
    private protected RtcRtpStreamStats(JsonElement raw) : base(raw)
    {
    }

    public long? Ssrc => GetInt64("ssrc");

    /// <summary>"audio" or "video".</summary>
    public string? Kind => GetString("kind") ?? GetString("mediaType");

    public string? CodecId => GetString("codecId");
}

/// <summary>"outbound-rtp": what this side sends.</summary>
public sealed class RtcOutboundRtpStats : RtcRtpStreamStats
{
    internal RtcOutboundRtpStats(JsonElement raw) : base(raw)
    {
    }

    public long? PacketsSent => GetInt64("packetsSent");

    public long? BytesSent => GetInt64("bytesSent");

    public string? Mid => GetString("mid");
}

/// <summary>"inbound-rtp": what this side receives.</summary>
public sealed class RtcInboundRtpStats : RtcRtpStreamStats
{
    internal RtcInboundRtpStats(JsonElement raw) : base(raw)
    {
    }

    public long? PacketsReceived => GetInt64("packetsReceived");

    public long? PacketsLost => GetInt64("packetsLost");

    public long? BytesReceived => GetInt64("bytesReceived");

    /// <summary>Seconds.</summary>
    public double? Jitter => GetDouble("jitter");

    /// <summary>0..1 (linear).</summary>
    public double? AudioLevel => GetDouble("audioLevel");

    public double? TotalAudioEnergy => GetDouble("totalAudioEnergy");

    public long? ConcealedSamples => GetInt64("concealedSamples");

    public long? TotalSamplesReceived => GetInt64("totalSamplesReceived");
}

/// <summary>"remote-inbound-rtp": the far end's view of what we send (from RTCP receiver reports).</summary>
public sealed class RtcRemoteInboundRtpStats : RtcRtpStreamStats
{
    internal RtcRemoteInboundRtpStats(JsonElement raw) : base(raw)
    {
    }

    /// <summary>Seconds.</summary>
    public double? RoundTripTime => GetDouble("roundTripTime");

    public long? PacketsLost => GetInt64("packetsLost");

    public double? FractionLost => GetDouble("fractionLost");

    public double? Jitter => GetDouble("jitter");
}

/// <summary>"candidate-pair": one ICE candidate pair.</summary>
public sealed class RtcCandidatePairStats : RtcStats
{
    internal RtcCandidatePairStats(JsonElement raw) : base(raw)
    {
    }

    /// <summary>"frozen", "waiting", "in-progress", "failed", "succeeded".</summary>
    public string? State => GetString("state");

    public bool? Nominated => GetBoolean("nominated");

    /// <summary>Seconds, from the latest STUN check.</summary>
    public double? CurrentRoundTripTime => GetDouble("currentRoundTripTime");

    public long? BytesSent => GetInt64("bytesSent");

    public long? BytesReceived => GetInt64("bytesReceived");
}
