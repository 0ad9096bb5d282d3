using Dialtone.Server;
using Dialtone.Sip.UserAgent;

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
        var lost = 0;
        bob.Agent.RegistrationStateChanged += (_, e) =>
        {
            if (e.State == RegistrationState.Recovering)
                Interlocked.Increment(ref lost);
            else if (e.State == RegistrationState.Registered && lost > 0)
                bobBack.TrySetResult();
        };
        alice.Agent.RegistrationStateChanged += (_, e) =>
        {
            if (e.State == RegistrationState.Registered && lost > 0)
                aliceBack.TrySetResult();
        };

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
