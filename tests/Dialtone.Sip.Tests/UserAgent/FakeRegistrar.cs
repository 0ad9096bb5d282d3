using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.UserAgent;

/// <summary>
/// A scripted registrar on the loopback peer: answers each REGISTER with whatever
/// <see cref="Answer"/> returns (default: 200 echoing the Contact with the requested expiry).
/// </summary>
internal sealed class FakeRegistrar
{
    private readonly LoopbackTransport _peer;

    public FakeRegistrar(LoopbackTransport peer)
    {
        _peer = peer;
        peer.FrameReceived += OnFrame;
    }

    public List<SipRequest> Registers { get; } = [];

    /// <summary>Builds the response to a REGISTER; extra header lines may be added by the test.</summary>
    public Func<SipRequest, (int Status, string ExtraHeaders)> Answer { get; set; } = r =>
        (200, $"Contact: {r.Headers[SipHeaderNames.Contact]};expires={r.Expires}\r\n");

    private void OnFrame(ISipTransport transport, SipEndPoint source, ReadOnlySpan<byte> bytes)
    {
        if (SipParser.Parse(bytes) is not SipRequest { Method: SipMethods.Register } request)
            return;
        lock (Registers)
            Registers.Add(request);
        var (status, extra) = Answer(request);
        var text = new StringBuilder()
            .Append($"SIP/2.0 {status} {(status == 200 ? "OK" : "Not OK")}\r\n");
        foreach (var via in request.Headers.All(SipHeaderNames.Via))
            text.Append($"Via: {via.Value}\r\n");
        text.Append($"From: {request.Headers[SipHeaderNames.From]}\r\n")
            .Append($"To: {request.Headers[SipHeaderNames.To]};tag=reg1\r\n")
            .Append($"Call-ID: {request.CallId}\r\n")
            .Append($"CSeq: {request.CSeq!.Number} REGISTER\r\n")
            .Append(extra)
            .Append("Content-Length: 0\r\n\r\n");
        _ = _peer.SendAsync(source, Encoding.UTF8.GetBytes(text.ToString()));
    }

    public int Count
    {
        get
        {
            lock (Registers)
                return Registers.Count;
        }
    }

    public SipRequest Last
    {
        get
        {
            lock (Registers)
                return Registers[^1];
        }
    }
}
