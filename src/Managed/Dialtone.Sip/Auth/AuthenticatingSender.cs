using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;

namespace Dialtone.Sip.Auth;

/// <summary>
/// Sends a request and answers 401/407 challenges (RFC 3261 §22.2–22.3): each retry is a new
/// transaction (new branch, CSeq + 1) with credentials for every challenged realm. A realm that
/// challenges again after being answered means a wrong password → <see cref="SipAuthenticationException"/>,
/// except a <c>stale=true</c> challenge, which is retried once without involving the user.
/// The rule lives in <see cref="DigestRetry"/>, which the INVITE client (Sessions.Inviter) drives
/// itself because it must read provisional responses and CANCEL between attempts.
/// </summary>
public static class AuthenticatingSender
{
    /// <param name="beforeRetry">Called with each retry before it is sent (an in-dialog request's dialog learns the new CSeq).</param>
    public static async Task<SipResponse> SendWithAuthenticationAsync(
        this SipStack stack, SipRequest request, SipDigestClient digest, SipSendOptions? options = null, CancellationToken cancellationToken = default,
        Action<SipRequest>? beforeRetry = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(digest);
        var retry = new DigestRetry(digest);
        var current = request;
        while (true)
        {
            var response = await stack.SendRequestAsync(current, options, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (401 or 407))
                return response;
            current = retry.NextAttempt(current, response);
            beforeRetry?.Invoke(current);
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

/// <summary>
/// The attempts of one request against digest challenges: which realms were answered, which got
/// their one stale retry, how many attempts were made. One instance per request (not per dialog).
/// </summary>
public sealed class DigestRetry(SipDigestClient digest)
{
    private const int MaxAttempts = 5;
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _staleRetried = new(StringComparer.Ordinal);
    private int _attempts = 1;

    /// <summary>
    /// The next attempt of <paramref name="previous"/>, answering every challenge of <paramref name="challenge"/> (a 401/407).
    /// </summary>
    /// <exception cref="SipAuthenticationException">The credentials were rejected, or the server kept challenging.</exception>
    public SipRequest NextAttempt(SipRequest previous, SipResponse challenge)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(challenge);
        var challenges = digest.SelectChallenges(challenge);
        if (challenges.Count == 0)
            throw new SipAuthenticationException($"{challenge.StatusCode} {challenge.ReasonPhrase} without a usable challenge", challenge.StatusCode, null);
        foreach (var c in challenges)
        {
            if (!_answered.Contains(c.Realm))
                continue;
            if (c.Stale && _staleRetried.Add(c.Realm))
                continue; // the nonce expired, the password was fine
            throw new SipAuthenticationException(
                $"Credentials for {digest.Credentials.Username} were rejected by realm '{c.Realm}' ({challenge.StatusCode} {challenge.ReasonPhrase})",
                challenge.StatusCode, c.Realm);
        }
        if (_attempts >= MaxAttempts)
            throw new SipAuthenticationException($"Still challenged after {MaxAttempts} attempts", challenge.StatusCode, challenges[0].Realm);
        _attempts++;
        var next = AuthenticatingSender.NextAttempt(previous);
        foreach (var c in challenges)
        {
            digest.Authorize(next, c);
            _answered.Add(c.Realm);
        }
        return next;
    }
}
