using Dialtone.Server;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>The server goes away and comes back on the same address: user agents reconnect, register again and can be called.</summary>
public sealed class ServerRestartTests
{
    [Fact]
    public async Task User_agents_recover_their_flow_and_registration_after_a_server_restart()
    {
        var server = await EmbeddedSipServer.StartAsync();
        var port = server.WebSocketUri.Port;
        await using var alice = await Party.StartAsync(server.WebSocketUri, server.Domain, "alice", sayHz: 0, listenHz: 1000);
        await using var bob = await Party.StartAsync(server.WebSocketUri, server.Domain, "bob", sayHz: 0, listenHz: 1000);
        var bobBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aliceBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Agent.ConnectionChanged += (_, e) => { if (e.Connected) bobBack.TrySetResult(); };
        alice.Agent.ConnectionChanged += (_, e) => { if (e.Connected) aliceBack.TrySetResult(); };

        await server.DisposeAsync();
        server = await EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions { Port = port });
        try
        {
            await Task.WhenAll(bobBack.Task, aliceBack.Task).WaitAsync(Eventually.Generous);
            Assert.Equal(2, server.Registrations.Count); // the new server learnt both again

            var answered = bob.AnswerCalls();
            var call = await alice.Agent.CallAsync($"sip:bob@{server.Domain}");
            await call.Established.WaitAsync(Eventually.Generous);
            await answered.WaitAsync(Eventually.Generous);
            await call.HangupAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
