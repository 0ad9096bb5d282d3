using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;

namespace Dialtone.Sip.Auth;

/// <summary>
/// Sends a request and answers 401/407 challenges (RFC 3261 §22.2–22.3): each retry is a new
/// transaction (new branch, CSeq + 1) with credentials for every challenged realm. A realm that
/// challenges again after being answered means a wrong password → <see cref="SipAuthenticationException"/>,
/// except a <c>stale=true</c> challenge, which is retried once without involving the user.
/// </summary>
public static class AuthenticatingSender
{
    private const int MaxAttempts = 5;

    public static async Task<SipResponse> SendWithAuthenticationAsync(
        this SipStack stack, SipRequest request, SipDigestClient digest, SipSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(digest);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var staleRetried = new HashSet<string>(StringComparer.Ordinal);
        var current = request;
        for (var attempt = 1; ; attempt++)
        {
            var response = await stack.SendRequestAsync(current, options, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (401 or 407))
                return response;
            var challenges = digest.SelectChallenges(response);
            foreach (var c in challenges)
            {
                if (!answered.Contains(c.Realm))
                    continue;
                if (c.Stale && staleRetried.Add(c.Realm))
                    continue; // the nonce expired, the password was fine
                throw new SipAuthenticationException(
                    $"Credentials for {digest.Credentials.Username} were rejected by realm '{c.Realm}' ({response.StatusCode} {response.ReasonPhrase})",
                    response.StatusCode, c.Realm);
            }
            if (attempt >= MaxAttempts)
                throw new SipAuthenticationException($"Still challenged after {MaxAttempts} attempts", response.StatusCode, challenges[0].Realm);
            current = NextAttempt(current);
            foreach (var c in challenges)
            {
                digest.Authorize(current, c);
                answered.Add(c.Realm);
            }
        }
    }

    /// <summary>The same request as a new transaction: no Via (the stack adds one with a new branch), CSeq + 1.</summary>
    public static SipRequest NextAttempt(SipRequest previous)
    {
        var next = previous.Clone();
        next.Headers.Remove(SipHeaderNames.Via);
        next.CSeq = new SipCSeq(previous.CSeq!.Number + 1, previous.Method);
        return next;
    }
}
