using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>One real Kamailio (UDP/TCP/TLS/WS, test CA) shared by the legacy peer tests: the PBX/carrier registrar.</summary>
public sealed class KamailioFixture : IAsyncLifetime
{
    public KamailioServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KamailioServer.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class KamailioCollection : ICollectionFixture<KamailioFixture>
{
    public const string Name = "legacy peers through Kamailio";
}
