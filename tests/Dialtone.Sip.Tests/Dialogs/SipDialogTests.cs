using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Dialogs;

public sealed class SipDialogTests
{
    private static SipRequest PlivoInvite() => (SipRequest)SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite));

    private static SipRequest OurInvite()
    {
        var invite = Dialtone.Sip.Stack.SipRequestFactory.Create(SipMethods.Invite, SipUri.Parse("sip:bob@biloxi.example.com"),
            new SipAddress(SipUri.Parse("sip:alice@atlanta.example.com"), "Alice"), new SipAddress(SipUri.Parse("sip:bob@biloxi.example.com")), "call-9", 314);
        invite.Headers.Add(SipHeaderNames.Contact, "<sip:alice@10.0.0.1:5060>");
        return invite;
    }

    private static SipResponse Answer(SipRequest request, int status, string contact = "<sip:bob@192.0.2.4:5062>", params string[] recordRoutes)
    {
        var response = SipResponse.CreateFor(request, status);
        response.To = request.To!.WithTag("bobtag");
        foreach (var rr in recordRoutes)
            response.Headers.Add(SipHeaderNames.RecordRoute, rr);
        response.Headers.Add(SipHeaderNames.Contact, contact);
        return response;
    }

    [Fact]
    public void Uas_FromFixtureInvite_RouteSetInOrder_TargetIsContact_ByeIsRoutedThroughProxies()
    {
        var invite = PlivoInvite();
        var ok = SipResponse.CreateFor(invite, 200);
        ok.To = invite.To!.WithTag("mytag");
        var dialog = SipDialog.CreateAsUas(invite, ok);

        Assert.Equal(new SipDialogId("333b9ea8-3e5e-1233-4bb9-782bcb0446c4", "mytag", "Hygr09ggKmpjm"), dialog.Id);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Equal("sip:mod_sofia@191.201.61.52:5080", dialog.RemoteTarget.ToString());
        Assert.Equal(["sip:54.241.2.206:5061;transport=tls;r2=on;lr", "sip:54.241.2.206;r2=on;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal(72472445, dialog.RemoteSequence);
        Assert.Null(dialog.LocalSequence);

        var bye = dialog.CreateRequest(SipMethods.Bye);
        Assert.Equal("sip:mod_sofia@191.201.61.52:5080", bye.RequestUri.ToString());
        Assert.Equal(["<sip:54.241.2.206:5061;transport=tls;r2=on;lr>", "<sip:54.241.2.206;r2=on;lr>"], bye.Headers.All(SipHeaderNames.Route).Select(h => h.Value));
        Assert.Equal("mytag", bye.From!.Tag);
        Assert.Equal("Hygr09ggKmpjm", bye.To!.Tag);
        Assert.Equal("+15002309140", bye.To.DisplayName);
        Assert.Equal(invite.CallId, bye.CallId);
        Assert.Equal(SipMethods.Bye, bye.CSeq!.Method);
        Assert.Equal(bye.CSeq.Number, dialog.LocalSequence);
        Assert.InRange(bye.CSeq.Number, 1, SipCSeq.MaxNumber);
    }

    [Fact]
    public void Uac_RouteSetIsRecordRouteReversed_AckUsesInviteCSeq()
    {
        var invite = OurInvite();
        var ok = Answer(invite, 200, "<sip:bob@192.0.2.4:5062>", "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>");
        var dialog = SipDialog.CreateAsUac(invite, ok);
        Assert.Equal(["sip:p1.example.com;lr", "sip:p2.example.com;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal(314, dialog.LocalSequence);

        var ack = dialog.CreateAck(ok);
        Assert.Equal(new SipCSeq(314, SipMethods.Ack), ack.CSeq);
        Assert.Equal("sip:bob@192.0.2.4:5062", ack.RequestUri.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], ack.Headers.All(SipHeaderNames.Route).Select(h => h.Value));
        Assert.Equal(314, dialog.LocalSequence); // ACK does not consume a CSeq

        Assert.Equal(315, dialog.CreateRequest(SipMethods.Bye).CSeq!.Number);
        Assert.Equal(316, dialog.CreateRequest(SipMethods.Info).CSeq!.Number);
        Assert.Throws<ArgumentException>(() => dialog.CreateAck(Answer(invite, 180)));
    }

    [Fact]
    public void EarlyDialog_FromProvisionalWithTag_ConfirmedBy2xx_WhichRecomputesRouteSet()
    {
        var invite = OurInvite();
        var ringing = Answer(invite, 180, "<sip:bob@early.example.com>", "<sip:old.example.com;lr>");
        var dialog = SipDialog.CreateAsUac(invite, ringing);
        Assert.Equal(SipDialogState.Early, dialog.State);
        Assert.Equal("sip:bob@early.example.com", dialog.RemoteTarget.ToString());

        dialog.OnCreatingResponse(Answer(invite, 200, "<sip:bob@final.example.com>", "<sip:new.example.com;lr>"));
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Equal("sip:new.example.com;lr", dialog.RouteSet.Single().Uri.ToString());
        Assert.Equal("sip:bob@final.example.com", dialog.RemoteTarget.ToString());
    }

    [Fact]
    public void EarlyDialog_EndsOnErrorResponse()
    {
        var invite = OurInvite();
        var dialog = SipDialog.CreateAsUac(invite, Answer(invite, 183));
        dialog.OnCreatingResponse(Answer(invite, 486));
        Assert.Equal(SipDialogState.Terminated, dialog.State);
        Assert.Throws<InvalidOperationException>(() => dialog.CreateRequest(SipMethods.Bye));
    }

    [Fact]
    public void ProvisionalWithoutTag_OrTrying_CreatesNoDialog()
    {
        var invite = OurInvite();
        var noTag = SipResponse.CreateFor(invite, 180);
        Assert.Throws<ArgumentException>(() => SipDialog.CreateAsUac(invite, noTag));
        Assert.Throws<ArgumentException>(() => SipDialog.CreateAsUac(invite, Answer(invite, 100)));
    }

    [Fact]
    public void RemoteCSeq_MustIncrease_AckAndCancelExempt()
    {
        var invite = PlivoInvite();
        var ok = SipResponse.CreateFor(invite, 200);
        ok.To = invite.To!.WithTag("t");
        var dialog = SipDialog.CreateAsUas(invite, ok);
        SipRequest InDialog(string method, long cseq)
        {
            var r = new SipRequest(method, SipUri.Parse("sip:me@host")) { CallId = invite.CallId, From = invite.From, To = ok.To, CSeq = new SipCSeq(cseq, method) };
            return r;
        }
        Assert.True(dialog.AcceptRequest(InDialog(SipMethods.Ack, 72472445)));
        Assert.False(dialog.AcceptRequest(InDialog(SipMethods.Info, 72472445)));
        Assert.True(dialog.AcceptRequest(InDialog(SipMethods.Info, 72472446)));
        Assert.False(dialog.AcceptRequest(InDialog(SipMethods.Bye, 72472440)));
        Assert.Equal(72472446, dialog.RemoteSequence);
    }

    [Fact]
    public void TargetRefresh_ByReInviteOrUpdate_ButNotByInfo()
    {
        var invite = OurInvite();
        var ok = Answer(invite, 200);
        var dialog = SipDialog.CreateAsUac(invite, ok);
        SipRequest Incoming(string method, long cseq, string contact)
        {
            var r = new SipRequest(method, SipUri.Parse("sip:alice@10.0.0.1")) { CallId = "call-9", From = ok.To, To = invite.From, CSeq = new SipCSeq(cseq, method) };
            r.Headers.Add(SipHeaderNames.Contact, contact);
            return r;
        }
        Assert.True(dialog.AcceptRequest(Incoming(SipMethods.Info, 1, "<sip:bob@info.example.com>")));
        Assert.Equal("sip:bob@192.0.2.4:5062", dialog.RemoteTarget.ToString());
        Assert.True(dialog.AcceptRequest(Incoming(SipMethods.Invite, 2, "<sip:bob@moved.example.com>")));
        Assert.Equal("sip:bob@moved.example.com", dialog.RemoteTarget.ToString());

        var update = dialog.CreateRequest(SipMethods.Update);
        var updateOk = SipResponse.CreateFor(update, 200);
        updateOk.Headers.Add(SipHeaderNames.Contact, "<sip:bob@again.example.com>");
        dialog.OnTargetRefreshResponse(updateOk);
        Assert.Equal("sip:bob@again.example.com", dialog.RemoteTarget.ToString());
    }

    [Fact]
    public void StrictRouter_FirstRouteBecomesRequestUri_RemoteTargetAppended()
    {
        var invite = OurInvite();
        var ok = Answer(invite, 200, "<sip:bob@192.0.2.4>", "<sip:p2.example.com;lr>", "<sip:strict.example.com>");
        var dialog = SipDialog.CreateAsUac(invite, ok);
        var bye = dialog.CreateRequest(SipMethods.Bye);
        Assert.Equal("sip:strict.example.com", bye.RequestUri.ToString());
        Assert.Equal(["<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"], bye.Headers.All(SipHeaderNames.Route).Select(h => h.Value));
    }

    [Fact]
    public void LocalContact_IsAddedToTargetRefreshRequestsOnly()
    {
        var invite = OurInvite();
        var dialog = SipDialog.CreateAsUac(invite, Answer(invite, 200));
        dialog.LocalContact = new SipAddress(SipUri.Parse("sip:alice@10.0.0.1:5060"));
        Assert.Single(dialog.CreateRequest(SipMethods.Invite).Contacts);
        Assert.Empty(dialog.CreateRequest(SipMethods.Bye).Contacts);
    }

    [Fact]
    public void SecureFlag_FollowsSipsRequestUri()
    {
        var invite = OurInvite();
        invite.RequestUri = SipUri.Parse("sips:bob@biloxi.example.com");
        Assert.True(SipDialog.CreateAsUac(invite, Answer(invite, 200)).IsSecure);
    }

    [Fact]
    public void Table_MatchesRequestsAndResponsesByTheirPerspective()
    {
        var invite = OurInvite();
        var ok = Answer(invite, 200);
        var dialog = SipDialog.CreateAsUac(invite, ok);
        var table = new SipDialogTable();
        table.Add(dialog);
        Assert.Same(dialog, table.FindForResponse(ok));
        var byeFromBob = new SipRequest(SipMethods.Bye, SipUri.Parse("sip:alice@10.0.0.1")) { CallId = "call-9", From = ok.To, To = invite.From, CSeq = new SipCSeq(1, SipMethods.Bye) };
        Assert.Same(dialog, table.FindForRequest(byeFromBob));
        dialog.Terminate();
        Assert.Equal(1, table.Prune());
        Assert.Null(table.FindForRequest(byeFromBob));
    }
}
