using Dialtone.Sip.Message;

namespace Dialtone.Sip.Dialogs;

/// <summary>Request-URI and Route headers for an in-dialog request (RFC 3261 §12.2.1.1).</summary>
internal static class DialogRouting
{
    public static (UriReference RequestUri, IReadOnlyList<SipAddress> Routes) Route(UriReference remoteTarget, IReadOnlyList<SipAddress> routeSet)
    {
        if (routeSet.Count == 0)
            return (remoteTarget, []);
        if (routeSet[0].Uri is SipUri { IsLooseRouter: true } || routeSet[0].Uri is not SipUri)
            return (remoteTarget, routeSet); // loose routing: Request-URI is the remote target
        // Strict router: its URI becomes the Request-URI (without headers, which a Request-URI
        // cannot carry), the rest of the route set follows, then the remote target.
        var strict = (SipUri)routeSet[0].Uri;
        var routes = new List<SipAddress>(routeSet.Count);
        for (var i = 1; i < routeSet.Count; i++)
            routes.Add(routeSet[i]);
        routes.Add(new SipAddress(remoteTarget));
        return (strict with { Headers = SipParameters.Empty }, routes);
    }
}
