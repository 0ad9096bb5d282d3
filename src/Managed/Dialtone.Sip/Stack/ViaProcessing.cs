using System.Net;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>Server-side Via rules: RFC 3261 §18.2.1 (received), RFC 3581 (rport) and §18.2.2 (where responses go).</summary>
internal static class ViaProcessing
{
    /// <summary>
    /// Adds <c>received</c> when the sent-by host differs from the packet's source address, and
    /// fills an empty <c>rport</c> with the source port (which also requires <c>received</c>).
    /// </summary>
    public static void StampReceived(SipRequest request, SipEndPoint source)
    {
        if (NeedsNoStamp(request, source))
            return;
        var via = request.TopVia!;
        var sourceIp = source.Address.Address.ToString();
        var updated = via;
        var hostIsSource = IPAddress.TryParse(via.Host.Trim('[', ']'), out var sentBy) && sentBy.Equals(source.Address.Address);
        if (via.HasRport && via.Rport is null)
        {
            updated = updated.WithParameter("received", sourceIp).WithParameter("rport", source.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (!hostIsSource)
        {
            updated = updated.WithParameter("received", sourceIp);
        }
        if (!ReferenceEquals(updated, via))
            request.ReplaceTopVia(updated);
    }

    /// <summary>
    /// The common case read in place: no empty rport and a sent-by host written exactly as the
    /// source address formats. False means "maybe": the record path above decides.
    /// </summary>
    private static bool NeedsNoStamp(SipRequest request, SipEndPoint source)
    {
        if (!request.TryGetTopVia(out var via) || (via.HasRport && via.Rport < 0))
            return false;
        Span<char> text = stackalloc char[64];
        var host = via.Host;
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
            host = host[1..^1];
        if (!source.Address.Address.TryFormat(text, out var n) || n != host.Length)
            return false;
        for (var i = 0; i < n; i++)
        {
            if (text[i] != host[i])
                return false;
        }
        return true;
    }

    /// <summary>
    /// Where responses to a request go (§18.2.2, RFC 3581 §4): back over the connection for
    /// reliable transports; to source IP and port when rport was used; else to the source IP at the sent-by port.
    /// </summary>
    public static SipEndPoint ResponseDestination(SipVia via, SipEndPoint source)
    {
        if (source.Kind.IsReliable() || via.Rport is not null)
            return source;
        var port = via.Port ?? SipUriResolver.DefaultPort(source.Kind);
        return source with { Address = new IPEndPoint(source.Address.Address, port) };
    }
}
