using System.Collections.Concurrent;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>
/// A media handler that writes and reads tiny SDP-like bodies and records what the session asked
/// of it, so session logic is tested without native media and in virtual time.
/// </summary>
internal sealed class FakeMedia(string name) : ISessionMediaHandler
{
    private int _version;

    public string ContentType => "application/sdp";

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Offers containing this text are refused with 488.</summary>
    public string? RefuseOffersContaining { get; set; }

    public bool Disposed { get; private set; }

    public event EventHandler<SessionMediaFailedEventArgs>? MediaFailed;

    public Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"offer hold={options.Hold} ice={options.IceRestart}");
        return Task.FromResult(Body(options.Hold ? "sendonly" : "sendrecv", options.IceRestart));
    }

    public Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken)
    {
        Calls.Enqueue(provisional ? "pranswer " + Origin(body) : "answer " + Origin(body));
        return Task.CompletedTask;
    }

    public Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken)
    {
        if (RefuseOffersContaining is { } refuse && body.Contains(refuse, StringComparison.Ordinal))
        {
            Calls.Enqueue("refused offer");
            throw new SessionMediaException($"{name} cannot use {refuse}");
        }
        Calls.Enqueue("remote offer " + Origin(body));
        return Task.FromResult(new RemoteOfferInfo(body.Contains("a=sendonly", StringComparison.Ordinal) || body.Contains("a=inactive", StringComparison.Ordinal)));
    }

    public Task<string> CreateAnswerAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("answer created");
        return Task.FromResult(Body("sendrecv", false));
    }

    public Task RollbackAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("rollback");
        return Task.CompletedTask;
    }

    public void Fail(string reason) => MediaFailed?.Invoke(this, new SessionMediaFailedEventArgs(reason));

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private string Body(string direction, bool iceRestart) =>
        $"v=0\r\no={name} 1 {Interlocked.Increment(ref _version)} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na={direction}\r\n"
        + (iceRestart ? "a=x-ice-restart\r\n" : "");

    private static string Origin(string body) => body.Split("\r\n").FirstOrDefault(l => l.StartsWith("o=", StringComparison.Ordinal)) ?? "?";
}

internal sealed class FakeMediaFactory(string name) : ISessionMediaHandlerFactory
{
    public ConcurrentQueue<FakeMedia> Created { get; } = new();

    public ISessionMediaHandler Create(SessionMediaRequest request)
    {
        var media = new FakeMedia(name);
        Created.Enqueue(media);
        return media;
    }

    public FakeMedia Last => Created.Last();
}
