using Dialtone.Server;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Base of the call tests against the embedded registrar/proxy: a fresh server per test, and
/// registered parties that are disposed with it.
/// </summary>
public abstract class EmbeddedServerCallTests : IAsyncLifetime
{
    protected static readonly TimeSpan Generous = Eventually.Generous;
    private readonly List<Party> _parties = [];

    protected EmbeddedSipServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var party in _parties)
            await party.DisposeAsync();
        await Server.DisposeAsync();
    }

    private protected async Task<Party> PartyAsync(string user, double sayHz = 0, double listenHz = 1000,
        Func<UserAgentOptions, UserAgentOptions>? configure = null)
    {
        var party = await Party.StartAsync(Server.WebSocketUri, Server.Domain, user, sayHz, listenHz, configure: configure);
        _parties.Add(party);
        return party;
    }

    protected string Uri(string user) => $"sip:{user}@{Server.Domain}";
}
