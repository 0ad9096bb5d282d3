using Dialtone.Phone;
using Dialtone.Server;

namespace Dialtone.Cli.Tests.Commands;

/// <summary><c>dialtone register</c> and <c>dialtone listen</c> against the embedded registrar.</summary>
public sealed class RegisterAndListenTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string[] Connection(string user) => ["--server", _server.WebSocketUri.ToString(), "--user", $"sip:{user}@{_server.Domain}"];

    [Fact]
    public async Task Register_reports_success_and_removes_the_registration_again()
    {
        var (code, output) = await CliRun.RunAsync(["register", .. Connection("alice")]);

        Assert.True(code == 0, output);
        Assert.Contains($"Registered sip:alice@{_server.Domain}", output);
        Assert.DoesNotContain(_server.Registrations, r => r.AddressOfRecord.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_stay_keeps_the_registration_until_interrupted_then_removes_it()
    {
        using var stop = new CancellationTokenSource();
        var staying = CliRun.RunAsync(["register", "--stay", .. Connection("alice")], cancellationToken: stop.Token);
        await WaitUntil(() => _server.Registrations.Count > 0 || staying.IsCompleted);
        await Task.Delay(500);
        Assert.False(staying.IsCompleted, staying.IsCompleted ? (await staying).Output : "");
        Assert.Contains(_server.Registrations, r => r.AddressOfRecord.Contains("alice", StringComparison.Ordinal));

        await stop.CancelAsync();
        var (code, output) = await staying.WaitAsync(Generous);

        Assert.True(code == 0, output);
        Assert.Contains("Unregistering", output);
        Assert.DoesNotContain(_server.Registrations, r => r.AddressOfRecord.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_without_a_server_says_how_to_give_one()
    {
        var (code, output) = await CliRun.RunAsync(["register", "--user", "sip:alice@example.com"]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--server", output);
    }

    [Fact]
    public async Task Listen_without_a_terminal_needs_auto_answer()
    {
        var (code, output) = await CliRun.RunAsync(["listen", .. Connection("alice")]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--auto-answer", output);
    }

    [Fact]
    public async Task Listen_answers_a_call_and_quits_cleanly_when_interrupted()
    {
        using var stop = new CancellationTokenSource();
        var listening = new CliRun.Running(["listen", "--auto-answer", "--no-view", "--no-audio", .. Connection("alice")], stop.Token);
        await WaitUntil(() => _server.Registrations.Count > 0 || listening.Completion.IsCompleted);
        Assert.False(listening.Completion.IsCompleted, listening.Output);

        await using var bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", _ => Task.CompletedTask);
        var call = await bob.Agent.CallAsync($"sip:alice@{_server.Domain}");
        await call.Established.WaitAsync(Generous);
        await Task.Delay(1000);
        await call.HangupAsync();
        await WaitUntil(() => CountOf(listening.Output, "waiting for calls") == 2); // back to waiting: the call is over
        await stop.CancelAsync();
        var code = await listening.Completion.WaitAsync(Generous);
        var output = listening.Output;

        Assert.True(code == 0, output);
        Assert.Contains("Incoming call", output);
        Assert.Contains("answered", output);
        Assert.Contains("ended", output);
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
    }
}
