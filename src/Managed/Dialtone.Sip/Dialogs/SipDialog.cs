using System.Security.Cryptography;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Dialogs;

/// <summary>
/// A dialog's state (RFC 3261 §12): id, local/remote URI, remote target, route set, local and
/// remote CSeq, secure flag. Created from a dialog-creating response as UAC or UAS; builds
/// in-dialog requests (§12.2.1.1, including strict-routing fallback) and the ACK for a 2xx
/// (§13.2.2.4); applies remote target refreshes and remote CSeq ordering (§12.2.2).
/// Not thread-safe: use it on the stack's executor (or one owner).
/// </summary>
public sealed class SipDialog
{
    private SipDialog(SipDialogId id, SipAddress localAddress, SipAddress remoteAddress, UriReference remoteTarget, IReadOnlyList<SipAddress> routeSet, bool isUac, bool isSecure)
    {
        Id = id;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        IsUac = isUac;
        IsSecure = isSecure;
    }

    public SipDialogId Id { get; }

    public SipDialogState State { get; private set; }

    /// <summary>Our From (as UAC) or To (as UAS), with our tag.</summary>
    public SipAddress LocalAddress { get; }

    /// <summary>The peer's address with its tag.</summary>
    public SipAddress RemoteAddress { get; }

    /// <summary>Where in-dialog requests go: the peer's Contact, updated by target refreshes.</summary>
    public UriReference RemoteTarget { get; private set; }

    /// <summary>The route set in the order requests must traverse it.</summary>
    public IReadOnlyList<SipAddress> RouteSet { get; private set; }

    /// <summary>The CSeq of the last request we sent in the dialog; null while empty (UAS before its first request).</summary>
    public long? LocalSequence { get; private set; }

    /// <summary>The CSeq of the last request the peer sent; null while empty.</summary>
    public long? RemoteSequence { get; private set; }

    public bool IsUac { get; }

    /// <summary>True when the dialog was set up with a sips: Request-URI (§12.1.1).</summary>
    public bool IsSecure { get; }

    /// <summary>The object that handles this dialog's requests (its session), for whoever looks the dialog up in a <see cref="SipDialogTable"/>.</summary>
    public object? Owner { get; set; }

    /// <summary>
    /// Records that a request of the dialog was re-sent with a higher CSeq (a digest retry is a new
    /// transaction with CSeq + 1, §22.2): the next request must count on from it.
    /// </summary>
    public void LearnLocalSequence(long cseq)
    {
        if (LocalSequence is not { } n || cseq > n)
            LocalSequence = cseq;
    }

    /// <summary>Our Contact, added to target-refresh requests we build (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER).</summary>
    public SipAddress? LocalContact { get; set; }

    /// <summary>
    /// The UAC side, from our request and a response with a To tag: a 1xx makes an early dialog,
    /// a 2xx a confirmed one. Route set = Record-Route reversed; remote target = Contact (§12.1.2).
    /// </summary>
    public static SipDialog CreateAsUac(SipRequest request, SipResponse response)
    {
        if (response.StatusCode is <= 100 or >= 300)
            throw new ArgumentException($"A {response.StatusCode} does not create a dialog.", nameof(response));
        var remoteTag = response.To?.Tag ?? throw new ArgumentException("The response has no To tag.", nameof(response));
        var localTag = request.From?.Tag ?? throw new ArgumentException("The request has no From tag.", nameof(request));
        var dialog = new SipDialog(
            new SipDialogId(request.CallId!, localTag, remoteTag),
            request.From!, response.To!,
            ContactOf(response) ?? request.RequestUri,
            response.RecordRoutes.Reverse().ToArray(),
            isUac: true,
            isSecure: request.RequestUri is SipUri { IsSecure: true })
        {
            LocalSequence = request.CSeq!.Number,
            State = response.IsSuccess ? SipDialogState.Confirmed : SipDialogState.Early,
        };
        return dialog;
    }

    /// <summary>
    /// The UAS side, from the received request and our response (1xx with To tag, or 2xx).
    /// Route set = Record-Route in order; remote target = Contact; remote CSeq = the request's (§12.1.1).
    /// </summary>
    public static SipDialog CreateAsUas(SipRequest request, SipResponse response)
    {
        if (response.StatusCode is <= 100 or >= 300)
            throw new ArgumentException($"A {response.StatusCode} does not create a dialog.", nameof(response));
        var localTag = response.To?.Tag ?? throw new ArgumentException("The response has no To tag.", nameof(response));
        var remoteTag = request.From?.Tag ?? throw new ArgumentException("The request has no From tag.", nameof(request));
        return new SipDialog(
            new SipDialogId(request.CallId!, localTag, remoteTag),
            response.To!, request.From!,
            ContactOf(request) ?? throw new ArgumentException("A dialog-creating request needs a Contact.", nameof(request)),
            request.RecordRoutes.ToArray(),
            isUac: false,
            isSecure: request.RequestUri is SipUri { IsSecure: true })
        {
            RemoteSequence = request.CSeq!.Number,
            State = response.IsSuccess ? SipDialogState.Confirmed : SipDialogState.Early,
        };
    }

    /// <summary>
    /// A later response to the dialog-creating request (UAC): 1xx refreshes the early dialog's
    /// target; 2xx confirms it and recomputes the route set (§13.2.2.4); 3xx-6xx ends an early dialog.
    /// </summary>
    public void OnCreatingResponse(SipResponse response)
    {
        if (State == SipDialogState.Terminated)
            return;
        if (response.IsSuccess && State == SipDialogState.Early)
        {
            State = SipDialogState.Confirmed;
            if (IsUac)
                RouteSet = response.RecordRoutes.Reverse().ToArray();
        }
        else if (response.StatusCode >= 300 && State == SipDialogState.Early)
        {
            State = SipDialogState.Terminated;
            return;
        }
        RemoteTarget = ContactOf(response) ?? RemoteTarget;
    }

    /// <summary>Marks the dialog confirmed on the UAS side once its 2xx went out.</summary>
    public void Confirm() => State = State == SipDialogState.Terminated ? State : SipDialogState.Confirmed;

    public void Terminate() => State = SipDialogState.Terminated;

    /// <summary>
    /// Checks and records the CSeq of a request received in the dialog (§12.2.2): false when it is
    /// lower than the last one (answer 500). ACK and CANCEL are not ordered. A Contact in a
    /// target-refresh request updates the remote target.
    /// </summary>
    public bool AcceptRequest(SipRequest request)
    {
        if (request.Method is SipMethods.Ack or SipMethods.Cancel)
            return true;
        var cseq = request.CSeq!.Number;
        if (RemoteSequence is { } last && cseq <= last)
            return false;
        RemoteSequence = cseq;
        if (IsTargetRefresh(request.Method))
            RemoteTarget = ContactOf(request) ?? RemoteTarget;
        return true;
    }

    /// <summary>A 2xx to a target-refresh request we sent (re-INVITE, UPDATE) updates the remote target (§12.2.1.2).</summary>
    public void OnTargetRefreshResponse(SipResponse response)
    {
        if (response.IsSuccess && IsTargetRefresh(response.CSeq!.Method))
            RemoteTarget = ContactOf(response) ?? RemoteTarget;
    }

    /// <summary>Another early dialog of the same INVITE got the 2xx (§13.2.2.4): this one will never be confirmed.</summary>
    public void EndEarly()
    {
        if (State == SipDialogState.Early)
            State = SipDialogState.Terminated;
    }

    /// <summary>
    /// A new request in the dialog (§12.2.1.1): From/To with tags, Call-ID, next local CSeq,
    /// Request-URI and Route from the remote target and route set, our Contact for target refreshes.
    /// </summary>
    public SipRequest CreateRequest(string method)
    {
        if (method is SipMethods.Ack or SipMethods.Cancel)
            throw new ArgumentException($"{method} is not a new in-dialog request: use CreateAck or the stack's CancelAsync.", nameof(method));
        if (State == SipDialogState.Terminated)
            throw new InvalidOperationException("The dialog has ended.");
        LocalSequence = LocalSequence is { } n ? n + 1 : RandomNumberGenerator.GetInt32(1, 1 << 20);
        var request = Build(method, LocalSequence.Value);
        if (LocalContact is not null && IsTargetRefresh(method))
            request.Headers.Add(SipHeaderNames.Contact, LocalContact.ToString());
        return request;
    }

    /// <summary>The ACK for a 2xx to INVITE (§13.2.2.4): the INVITE's CSeq number, same routing as any in-dialog request.</summary>
    public SipRequest CreateAck(SipResponse success)
    {
        if (!success.IsSuccess || success.CSeq?.Method != SipMethods.Invite)
            throw new ArgumentException("CreateAck is for a 2xx to INVITE; the transaction ACKs other finals.", nameof(success));
        return Build(SipMethods.Ack, success.CSeq.Number);
    }

    private SipRequest Build(string method, long cseq)
    {
        var (requestUri, routes) = DialogRouting.Route(RemoteTarget, RouteSet);
        var request = new SipRequest(method, requestUri);
        foreach (var route in routes)
            request.Headers.Add(SipHeaderNames.Route, route.ToString());
        request.MaxForwards = 70;
        request.From = LocalAddress;
        request.To = RemoteAddress;
        request.CallId = Id.CallId;
        request.CSeq = new SipCSeq(cseq, method);
        request.Headers.Add(SipHeaderNames.ContentLength, "0");
        return request;
    }

    /// <summary>Methods whose requests and 2xx responses refresh the remote target (RFC 3261, 3311, 3265, 3515).</summary>
    public static bool IsTargetRefresh(string method) =>
        method is SipMethods.Invite or SipMethods.Update or SipMethods.Subscribe or SipMethods.Notify or SipMethods.Refer;

    private static UriReference? ContactOf(SipMessage message) =>
        message.Contacts is [var first, ..] && !first.IsWildcard ? first.Uri : null;

    public override string ToString() => $"Dialog {Id} ({State}, {(IsUac ? "UAC" : "UAS")}, target {RemoteTarget})";
}
