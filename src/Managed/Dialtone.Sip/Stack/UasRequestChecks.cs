using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The UAS checks of RFC 3261 §8.2.2 the stack can do before the transaction user sees a new
/// request, in the RFC's order: Request-URI scheme (416), merged requests (482), Require (420)
/// and the body of INVITE/UPDATE (415, §8.2.3). Returns the rejection to send, or null when the
/// request may go up.
/// </summary>
internal static class UasRequestChecks
{
    public static SipResponse? Check(SipServerTransaction tx, SipStackOptions options, TransactionTable table)
    {
        var request = tx.Request;
        if (request.RequestUri is OtherUri other)
        {
            // §8.2.2.1: we only serve sip:, sips: and tel: Request-URIs.
            return tx.CreateResponse(416, $"Unsupported URI Scheme ({other.Scheme})");
        }
        if (table.FindMergedWith(request, tx) is not null)
        {
            // §8.2.2.2: the same request reached us again by another path (a fork).
            return tx.CreateResponse(482, "Loop Detected (merged request)");
        }
        if (options.SupportedExtensions is { } supported && request.Method != SipMethods.Cancel)
        {
            // §8.2.2.3: every option-tag in Require must be one we support.
            var unsupported = request.Headers.Values(SipHeaderNames.Require)
                .Where(tag => !supported.Contains(tag, StringComparer.OrdinalIgnoreCase))
                .ToList();
            if (unsupported.Count > 0)
            {
                var response = tx.CreateResponse(420);
                response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
                return response;
            }
        }
        if (options.AcceptedSessionBodyTypes is { } accepted && request.Method is SipMethods.Invite or SipMethods.Update && !request.Body.IsEmpty)
            return CheckBody(tx, request, accepted);
        return null;
    }

    private static SipResponse? CheckBody(SipServerTransaction tx, SipRequest request, IReadOnlyCollection<string> accepted)
    {
        var encoding = request.Headers.Values(SipHeaderNames.ContentEncoding);
        if (encoding.Any(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            var response = tx.CreateResponse(415, "Unsupported Media Type (Content-Encoding)");
            response.Headers.Add("Accept-Encoding", "identity");
            return response;
        }
        var type = request.ContentType;
        if (type is not null && accepted.Contains(type.MediaType, StringComparer.OrdinalIgnoreCase))
            return null;
        // §7.4.1: a body needs a Content-Type; one we cannot read is refused the same way.
        var refused = tx.CreateResponse(415, type is null ? "Unsupported Media Type (no Content-Type)" : $"Unsupported Media Type ({Shorten(type.MediaType)})");
        refused.Headers.Add(SipHeaderNames.Accept, string.Join(", ", accepted));
        return refused;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] : s;
}
