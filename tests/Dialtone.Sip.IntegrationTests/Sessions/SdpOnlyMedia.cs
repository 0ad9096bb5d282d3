using System.Collections.Concurrent;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.IntegrationTests.Sessions;

/// <summary>
/// Media for signalling interop tests: real SDP (PCMU on a loopback port nobody sends to) and a
/// record of what the session asked, in order. sipp carries no media in these scenarios.
/// </summary>
internal sealed class SdpOnlyMedia : ISessionMediaHandler, ISessionMediaHandlerFactory
{
    private int _version;

    public string ContentType => "application/sdp";

    public ConcurrentQueue<string> Calls { get; } = new();

    public event EventHandler<SessionMediaFailedEventArgs>? MediaFailed
    {
        add { }
        remove { }
    }

    public ISessionMediaHandler Create(SessionMediaRequest request) => this;

    public Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken)
    {
        Calls.Enqueue("offer");
        return Task.FromResult(Sdp(options.Hold ? "sendonly" : "sendrecv"));
    }

    public Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken)
    {
        Check(body);
        Calls.Enqueue(provisional ? "provisional answer" : "answer");
        return Task.CompletedTask;
    }

    public Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken)
    {
        Check(body);
        Calls.Enqueue("remote offer");
        return Task.FromResult(new RemoteOfferInfo(false));
    }

    public Task<string> CreateAnswerAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("answer created");
        return Task.FromResult(Sdp("sendrecv"));
    }

    public Task RollbackAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("rollback");
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static void Check(string body)
    {
        if (!body.Contains("m=audio ", StringComparison.Ordinal))
            throw new SessionMediaException("no audio line in the SDP");
    }

    private string Sdp(string direction) =>
        $"v=0\r\no=dialtone 1 {Interlocked.Increment(ref _version)} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na={direction}\r\n";
}
